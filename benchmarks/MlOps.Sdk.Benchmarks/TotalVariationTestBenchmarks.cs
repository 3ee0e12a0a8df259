using BenchmarkDotNet.Attributes;
using MlOps.Sdk.Monitoring.Statistics;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// Evidently's TVD test on 1,000,000 vs 1,000,000 categories of 20 (the samples of <see cref="DriftStatisticsBenchmarks"/>):
/// 1,000 permutations of the pooled 2,000,000 values, drawn as Evidently draws them. The baseline shuffles the pooled
/// values 1,000 times with .NET's own generator — the floor of any permutation test of this size. Evidently's time on
/// the same samples is printed by <c>drift_tests_vectors.py --timings</c>. Each operation takes seconds: one launch,
/// three measured iterations.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class TotalVariationTestBenchmarks
{
    private int[] _reference = null!;
    private int[] _current = null!;

    [GlobalSetup]
    public void Setup() => (_reference, _current) = (DriftStatisticsBenchmarks.Categories(62, 20), DriftStatisticsBenchmarks.Categories(63, 20));

    [Benchmark(Baseline = true)]
    public int ShufflePooled1000Times()
    {
        int[] pooled = [.. _reference, .. _current];
        var random = new Random(0);
        for (var p = 0; p < TotalVariation.DefaultPermutations; p++)
        {
            random.Shuffle(pooled);
        }

        return pooled[0];
    }

    [Benchmark]
    public double TotalVariationTest1000Permutations() => TotalVariation.Test<int>(_reference, _current).PValue;
}
