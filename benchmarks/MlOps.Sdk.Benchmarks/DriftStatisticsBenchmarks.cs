using BenchmarkDotNet.Attributes;
using MlOps.Sdk.Monitoring.Statistics;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// Kolmogorov-Smirnov (statistic and asymptotic p-value) and Wasserstein-1 on 1,000,000 vs 1,000,000 values. The
/// baseline sorts copies of both samples, the floor either statistic stands on; scipy's times for the same samples on
/// the same machine are printed by <c>tools/reference/drift_vectors.py</c> and recorded in docs/benchmarks.md.
/// </summary>
[MemoryDiagnoser]
public class DriftStatisticsBenchmarks
{
    private const int Size = 1_000_000;
    private double[] _reference = null!;
    private double[] _current = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The samples the script times scipy on: seeds 60 and 61, the second shifted by 0.001.
        _reference = IrwinHall(60, 0);
        _current = IrwinHall(61, 0.001);
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

    private static double[] IrwinHall(ulong seed, double shift)
    {
        var values = new double[Size];
        var state = seed;
        for (var i = 0; i < Size; i++)
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
