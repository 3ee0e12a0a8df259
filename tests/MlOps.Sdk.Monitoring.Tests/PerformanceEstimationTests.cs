using System.Text.Json;
using MlOps.Sdk.Monitoring.Quality;
using Xunit;
using Xunit.Abstractions;
using static MlOps.Sdk.Monitoring.Tests.Precision;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>
/// Confidence-based performance estimation: the calibration and the point estimates against <c>cbpe.json</c>
/// (scikit-learn's isotonic regression and the definitions computed pair by pair, by
/// <c>tools/reference/cbpe_vectors.py</c>); the bands against realised quality on simulated streams; what it sees
/// (covariate shift) and what it cannot (concept drift).
/// </summary>
public sealed class PerformanceEstimationTests(ITestOutputHelper output)
{
    private static readonly Lazy<JsonDocument> Vectors = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "cbpe.json"))));

    public static TheoryData<string> Cases => [.. Vectors.Value.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];

    private static JsonElement Case(string name) => Vectors.Value.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static double[] Numbers(JsonElement c, string property) => [.. c.GetProperty(property).EnumerateArray().Select(v => v.GetDouble())];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Calibration_MatchesScikitLearnsIsotonicRegression_AndTheEstimatesTheirDefinitions(string name)
    {
        var c = Case(name);
        bool[] labels = [.. c.GetProperty("referenceLabels").EnumerateArray().Select(v => v.GetBoolean())];
        var estimator = PerformanceEstimator.Fit(Numbers(c, "referenceScores"), labels, new PerformanceEstimatorOptions { Threshold = c.Number("threshold") });
        var window = Numbers(c, "windowScores");

        var calibrated = Numbers(c, "calibrated");
        for (var i = 0; i < window.Length; i++)
        {
            Assert.Equal(calibrated[i], estimator.Calibration.Calibrate(window[i]), 1e-12);
        }

        var estimate = estimator.Estimate(window);
        var expected = c.GetProperty("expected");
        AssertClose(expected.Number("accuracy"), estimate.Accuracy.Value, 1e-12);
        AssertClose(expected.Number("precision"), estimate.Precision.Value, 1e-12);
        AssertClose(expected.Number("recall"), estimate.Recall.Value, 1e-12);
        AssertClose(expected.Number("f1"), estimate.F1.Value, 1e-12);
        AssertClose(expected.Number("roc_auc"), estimate.RocAuc.Value, 1e-12);
        Assert.Equal(window.Length, estimate.Rows);
    }

    /// <summary>A model whose scores are its labels' probabilities, in windows of 500 after a reference of 5,000.</summary>
    private static (double[] Scores, bool[] Labels) Calibrated(Random random, int count, Func<double> score)
    {
        var scores = new double[count];
        var labels = new bool[count];
        for (var i = 0; i < count; i++)
        {
            scores[i] = score();
            labels[i] = random.NextDouble() < scores[i];
        }

        return (scores, labels);
    }

    private static double Spread(Random random) => Math.Clamp((random.NextDouble() + random.NextDouble() + random.NextDouble()) / 3 * 1.4 - 0.2, 0.001, 0.999);

    private static QualityReport Realised(double[] scores, bool[] labels, double threshold = 0.5)
    {
        var monitor = new ClassificationQualityMonitor(windowSize: scores.Length);
        QualityReport? report = null;
        monitor.WindowClosed += (_, r) => report = r;
        for (var i = 0; i < scores.Length; i++)
        {
            monitor.RecordPrediction(i.ToString(System.Globalization.CultureInfo.InvariantCulture), (scores[i], scores[i] >= threshold));
            monitor.RecordLabel(i.ToString(System.Globalization.CultureInfo.InvariantCulture), labels[i]);
        }

        return report!;
    }

    [Fact]
    public void OnACalibratedModel_TheBandsHoldTheRealisedValues_InAtLeast90PercentOf200Windows()
    {
        var random = new Random(17);
        var reference = Calibrated(random, 5_000, () => Spread(random));
        var estimator = PerformanceEstimator.Fit(reference.Scores, reference.Labels);
        var within = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var w = 0; w < 200; w++)
        {
            var (scores, labels) = Calibrated(random, 500, () => Spread(random));
            foreach (var (metric, (_, _, inside)) in estimator.Estimate(scores).Compare(Realised(scores, labels)))
            {
                within[metric] = within.GetValueOrDefault(metric) + (inside ? 1 : 0);
            }
        }

        output.WriteLine(string.Join(", ", within.Select(w => $"{w.Key} {w.Value}/200")));
        Assert.All(["accuracy", "precision", "recall", "f1", "roc_auc"], metric => Assert.InRange(within[metric], 180, 200));
    }

    [Fact]
    public void UnderCovariateShift_WithTheSameConcept_TheEstimateFollowsTheRealisedDrop()
    {
        var random = new Random(23);
        var reference = Calibrated(random, 5_000, () => Spread(random));
        var estimator = PerformanceEstimator.Fit(reference.Scores, reference.Labels);
        var monitor = new PerformanceEstimationMonitor(estimator, windowSize: 1_000);

        // Before: scores spread as in the reference. After: the population moves to where the model is unsure (scores
        // near 0.5), and the labels still follow the scores.
        var (before, beforeLabels) = Calibrated(random, 10_000, () => Spread(random));
        var (after, afterLabels) = Calibrated(random, 10_000, () => 0.5 + ((Spread(random) - 0.5) * 0.3));
        foreach (var s in before.Concat(after))
        {
            monitor.Observe(s);
        }

        var estimates = monitor.History;
        Assert.Equal(20, estimates.Count);
        double Mean(IEnumerable<PerformanceEstimate> e, Func<PerformanceEstimate, double> metric) => e.Select(metric).Average();
        var (estimatedBefore, estimatedAfter) = (Mean(estimates.Take(10), e => e.Accuracy.Value), Mean(estimates.Skip(10), e => e.Accuracy.Value));
        var (realisedBefore, realisedAfter) = (Realised(before, beforeLabels).Metrics["accuracy"], Realised(after, afterLabels).Metrics["accuracy"]);
        output.WriteLine($"accuracy realised {realisedBefore:F4} → {realisedAfter:F4}, estimated {estimatedBefore:F4} → {estimatedAfter:F4}");
        Assert.True(realisedBefore - realisedAfter > 0.1, $"the shift should cost accuracy: {realisedBefore} then {realisedAfter}");
        Assert.Equal(realisedBefore - realisedAfter, estimatedBefore - estimatedAfter, 0.02);
        var aucAfter = Mean(estimates.Skip(10), e => e.RocAuc.Value);
        Assert.Equal(Realised(after, afterLabels).Metrics["roc_auc"], aucAfter, 0.02);
    }

    /// <summary>The documented limit: when the same scores come to mean other labels, the estimate cannot see it.</summary>
    [Fact]
    public void ConceptDrift_IsInvisibleToTheEstimate()
    {
        var random = new Random(29);
        var reference = Calibrated(random, 5_000, () => Spread(random));
        var estimator = PerformanceEstimator.Fit(reference.Scores, reference.Labels);
        double[] scores = [.. Enumerable.Range(0, 2_000).Select(_ => Spread(random))];
        bool[] flipped = [.. scores.Select(s => random.NextDouble() < 1 - s)];

        var estimate = estimator.Estimate(scores);
        var realised = Realised(scores, flipped);

        Assert.True(estimate.Accuracy.Value > 0.65, $"estimated {estimate.Accuracy.Value}");
        Assert.True(realised.Metrics["accuracy"] < 0.35, $"realised {realised.Metrics["accuracy"]}");
        Assert.False(estimate.Compare(realised)["accuracy"].WithinBand);
    }

    [Fact]
    public void AnAlertRule_FiresOnTheEstimate_AsOnRealisedQuality()
    {
        var random = new Random(31);
        var reference = Calibrated(random, 5_000, () => Spread(random));
        var estimator = PerformanceEstimator.Fit(reference.Scores, reference.Labels);
        var engine = new AlertEngine([AlertRule.Quality("estimated_accuracy", 0.65)], new AlertOptions { FireAfter = 1, Cooldown = TimeSpan.Zero });

        engine.Observe(estimator.Estimate([.. Enumerable.Range(0, 500).Select(_ => Spread(random))]).ToQualityReport());
        Assert.Empty(engine.Firing);
        engine.Observe(estimator.Estimate([.. Enumerable.Range(0, 500).Select(_ => 0.45 + (0.1 * random.NextDouble()))]).ToQualityReport());
        Assert.Equal(["estimated_accuracy-below-0.65"], engine.Firing);
    }

    [Fact]
    public void TheSameWindow_GetsTheSameBand_AndBadInputIsRefused()
    {
        var random = new Random(37);
        var reference = Calibrated(random, 1_000, () => Spread(random));
        var estimator = PerformanceEstimator.Fit(reference.Scores, reference.Labels);
        double[] window = [.. Enumerable.Range(0, 300).Select(_ => Spread(random))];
        Assert.Equal(estimator.Estimate(window), estimator.Estimate(window));
        Assert.True(estimator.Estimate(window).Accuracy.SamplingError > 0);

        Assert.Throws<MlOpsValidationException>(() => PerformanceEstimator.Fit([0.1, 0.9], [true, true]));
        Assert.Throws<MlOpsValidationException>(() => PerformanceEstimator.Fit([0.1, 0.9], [true]));
        Assert.Throws<MlOpsValidationException>(() => PerformanceEstimator.Fit([0.1, double.NaN], [true, false]));
        Assert.Throws<MlOpsValidationException>(() => PerformanceEstimator.Fit([0.1, 0.9], [false, true], new PerformanceEstimatorOptions { Simulations = 1 }));
        Assert.Throws<MlOpsValidationException>(() => estimator.Estimate([]));
        Assert.Throws<MlOpsValidationException>(() => estimator.Estimate([0.3, double.PositiveInfinity]));
        var monitor = new PerformanceEstimationMonitor(estimator, windowSize: 2);
        Assert.Throws<MlOpsValidationException>(() => monitor.Observe(double.NaN));
        Assert.Null(monitor.Observe(0.2));
        Assert.NotNull(monitor.Observe(0.8));
    }
}
