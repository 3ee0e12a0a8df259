using BenchmarkDotNet.Attributes;
using MlOps.Sdk.Monitoring.Statistics;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// Every drift statistic on 1,000,000 vs 1,000,000 values (categorical tests on 1,000,000 vs 1,000,000 categories of 20,
/// Fisher's of 2). The baseline sorts copies of both samples, the floor every rank- or CDF-based statistic stands on;
/// scipy's times for the same samples on the same machine are printed by <c>tools/reference/drift_vectors.py</c> and
/// <c>drift_tests_vectors.py --timings</c> and recorded in docs/benchmarks.md.
/// </summary>
[MemoryDiagnoser]
public class DriftStatisticsBenchmarks
{
    private const int Size = 1_000_000;
    private double[] _reference = null!;
    private double[] _current = null!;
    private int[] _referenceCategories = null!;
    private int[] _currentCategories = null!;
    private int[] _referenceBinary = null!;
    private int[] _currentBinary = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The samples the script times scipy on: seeds 60 and 61, the second shifted by 0.001.
        _reference = IrwinHall(60, 0);
        _current = IrwinHall(61, 0.001);
        (_referenceCategories, _currentCategories) = (Categories(62, 20), Categories(63, 20));
        (_referenceBinary, _currentBinary) = (Categories(64, 2), Categories(65, 2));
    }

    [Benchmark(Baseline = true)]
    public double SortBothSamples()
    {
        var a = _reference.ToArray();
        var b = _current.ToArray();
        Array.Sort(a);
        Array.Sort(b);
        return a[0] + b[0];
    }

    [Benchmark]
    public double KolmogorovSmirnovTwoSample() => KolmogorovSmirnov.TwoSample(_reference, _current).PValue;

    [Benchmark]
    public double Wasserstein() => Distances.Wasserstein(_reference, _current);

    [Benchmark]
    public double MannWhitneyU() => MannWhitney.Test(_reference, _current, TwoSampleAlternative.Less).PValue;

    [Benchmark]
    public double StudentsTTest() => TTest.Independent(_reference, _current).PValue;

    [Benchmark]
    public double EnergyDistance() => Distances.Energy(_reference, _current);

    [Benchmark]
    public double AndersonDarlingKSample() => AndersonDarling.KSample(_reference, _current).PValue;

    [Benchmark]
    public double CramerVonMisesTwoSample() => CramerVonMises.TwoSample(_reference, _current).PValue;

    [Benchmark]
    public double EppsSingletonTwoSample() => EppsSingleton.Test(_reference, _current).PValue;

    [Benchmark]
    public double KullbackLeiblerOnEvidentlysBins() => Distances.KullbackLeibler(BinnedShares.Evidently(_reference, _current, fillEmpty: true));

    [Benchmark]
    public double GTestOfCategories() => HypothesisTests.GTestDrift<int>(_referenceCategories, _currentCategories).PValue;

    [Benchmark]
    public double TotalVariationOfCategories() => Distances.TotalVariation<int>(_referenceCategories, _currentCategories);

    [Benchmark]
    public double FisherExactOfBinary() => HypothesisTests.FisherExactDrift<int>(_referenceBinary, _currentBinary).PValue;

    /// <summary>The script's categories: the LCG's top bits modulo k.</summary>
    internal static int[] Categories(ulong seed, ulong k)
    {
        var values = new int[Size];
        var state = seed;
        for (var i = 0; i < Size; i++)
        {
            state = unchecked((state * 6364136223846793005UL) + 1442695040888963407UL);
            values[i] = (int)((state >> 32) % k);
        }

        return values;
    }

    internal static double[] IrwinHall(ulong seed, double shift, int size = Size)
    {
        var values = new double[size];
        var state = seed;
        for (var i = 0; i < size; i++)
        {
            var total = 0.0;
            for (var k = 0; k < 3; k++)
            {
                state = unchecked((state * 6364136223846793005UL) + 1442695040888963407UL);
                total += (state >> 32) / 4294967296.0;
            }

            values[i] = total + shift;
        }

        return values;
    }
}
