using MlOps.Sdk.Monitoring.Quality;
using MlOps.Sdk.Monitoring.Statistics;
using Xunit;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>
/// The radix ranking behind ROC AUC and DeLong, on both of its paths (scores that are all floats, packed with their
/// labels; any other doubles), against the definitions computed pair by pair: a positive above a negative counts 1, a
/// tie ½.
/// </summary>
public sealed class ScoreRankingTests
{
    public static TheoryData<string> Kinds => ["floats", "doubles", "coarse floats (many ties)", "signed, zeros and infinities", "subnormal doubles"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void RocAucAndDeLong_EqualTheirPairwiseDefinitions(string kind)
    {
        var (labels, scores) = Sample(kind, seed: kind.Length);
        var (auc, variance) = PairwiseDeLong(labels, scores);

        Assert.Equal(auc, QualityMetrics.RocAuc(labels, scores), 12);
        var (deLongAuc, deLongVariance) = DeLong.Auc(labels, scores);
        Assert.Equal(auc, deLongAuc, 12);
        Assert.Equal(variance, deLongVariance, 12);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Ascending_IsAStableSort(string kind)
    {
        var (_, scores) = Sample(kind, seed: 7);
        var order = new int[scores.Length];

        ScoreOrder.Ascending(scores, order);

        // A stable sort by value, with −0 equal to +0: LINQ's OrderBy is stable and compares −0 and +0 as equal.
        Assert.Equal(Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray(), order);
    }

    private static (bool[] Labels, double[] Scores) Sample(string kind, int seed)
    {
        var random = new Random(seed);
        var labels = new bool[3000];
        var scores = new double[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = random.NextDouble() < 0.3;
            var signal = (labels[i] ? 0.6 : 0) + random.NextDouble();
            scores[i] = kind switch
            {
                "floats" => (float)signal,
                "doubles" => signal,
                "coarse floats (many ties)" => (float)(Math.Round(signal * 8) / 8),
                "signed, zeros and infinities" => (i % 50) switch
                {
                    0 => double.PositiveInfinity,
                    1 => double.NegativeInfinity,
                    2 => -0.0,
                    3 => 0.0,
                    _ => (float)((signal - 0.8) * 1e30),
                },
                _ => signal * double.Epsilon * 1e6, // below float's range: the doubles' path
            };
        }

        return (labels, scores);
    }

    /// <summary>DeLong's placements and variance by their definition, every positive against every negative.</summary>
    private static (double Auc, double Variance) PairwiseDeLong(bool[] labels, double[] scores)
    {
        var cases = Enumerable.Range(0, labels.Length).Where(i => labels[i]).Select(i => scores[i]).ToArray();
        var controls = Enumerable.Range(0, labels.Length).Where(i => !labels[i]).Select(i => scores[i]).ToArray();
        static double Kernel(double x, double y) => x > y ? 1 : x == y ? 0.5 : 0;
        var casePlacements = cases.Select(x => controls.Sum(y => Kernel(x, y)) / controls.Length).ToArray();
        var controlPlacements = controls.Select(y => cases.Sum(x => Kernel(x, y)) / cases.Length).ToArray();
        var auc = casePlacements.Average();
        double Spread(double[] v) => v.Sum(p => (p - auc) * (p - auc)) / (v.Length - 1) / v.Length;
        return (auc, Spread(casePlacements) + Spread(controlPlacements));
    }
}
