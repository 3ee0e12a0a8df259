using MlOps.Sdk.Monitoring.Statistics;
using Xunit;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>Order statistics by buckets equal what a sort gives, whatever the shape of the data.</summary>
public sealed class OrderStatisticsTests
{
    public static TheoryData<string> Shapes => ["uniform", "one far outlier", "constant", "two values", "a range of a few ulps", "huge range", "negative zeros and zeros"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Find_GivesTheSortedValuesAtEveryRankAskedFor(string shape)
    {
        var random = new Random(shape.Length);
        double[] Make(int n) => shape switch
        {
            "uniform" => [.. Enumerable.Range(0, n).Select(_ => random.NextDouble())],
            "one far outlier" => [.. Enumerable.Range(0, n).Select(i => i == 3 ? 1e300 : random.NextDouble())],
            "constant" => [.. Enumerable.Repeat(2.5, n)],
            "two values" => [.. Enumerable.Range(0, n).Select(_ => random.Next(2) * 7.0)],
            "a range of a few ulps" => [.. Enumerable.Range(0, n).Select(_ => Math.BitIncrement(1.0) + (random.Next(3) * Math.ScaleB(1, -52)))],
            "huge range" => [.. Enumerable.Range(0, n).Select(_ => (random.NextDouble() - 0.5) * 1.7e308)],
            _ => [.. Enumerable.Range(0, n).Select(_ => random.Next(2) == 0 ? -0.0 : 0.0)],
        };
        var (a, b) = (Make(3_001), Make(1_999));
        double[] sorted = [.. a, .. b];
        Array.Sort(sorted);
        long[] ranks = [0, 1, 1_249, 1_250, 2_499, 3_749, 3_750, 4_999];
        var found = new double[ranks.Length];

        OrderStatistics.Find(a, b, ranks, found);

        Assert.Equal(ranks.Select(r => sorted[r]), found);
        var (q1, q3) = (sorted[1_249] + (0.75 * (sorted[1_250] - sorted[1_249])), sorted[3_749] + (0.25 * (sorted[3_750] - sorted[3_749])));
        Assert.Equal(q3 - q1, OrderStatistics.InterquartileRange(a, b), 1e-12 * Math.Max(1, Math.Abs(q3 - q1)));
    }
}
