using BenchmarkDotNet.Attributes;
using MlOps.Sdk.Monitoring.Statistics;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// Evidently's empirical MMD with 100 permutations on 1,000 vs 1,000 values (its cost is quadratic: 1,000,000 vs
/// 1,000,000 is out of reach for any exact form, Evidently's included). The baseline evaluates the Gaussian kernel once
/// for every ordered pair of the pooled sample — the work no exact implementation avoids; numpy's time for Evidently's
/// definition on the same samples is printed by <c>drift_tests_vectors.py --timings</c>.
/// </summary>
[MemoryDiagnoser]
public class EmpiricalMmdBenchmarks
{
    private const int Size = 1_000;
    private double[] _reference = null!;
    private double[] _current = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The first 1,000 values of the script's 1,000,000-value samples (seeds 60 and 61).
        _reference = DriftStatisticsBenchmarks.IrwinHall(60, 0, Size);
        _current = DriftStatisticsBenchmarks.IrwinHall(61, 0.001, Size);
    }

    [Benchmark(Baseline = true)]
    public double KernelOverEveryPair()
    {
        double[] pooled = [.. _reference, .. _current];
        double total = 0;
        foreach (var a in pooled)
        {
            foreach (var b in pooled)
            {
                total += Math.Exp(-0.5 * ((b * b) - (2 * (a * b)) + (a * a)));
            }
        }

        return total;
    }

    [Benchmark]
    public double EmpiricalMmd100Permutations() => MaximumMeanDiscrepancy.Test(_reference, _current, permutations: 100).PValue;
}
