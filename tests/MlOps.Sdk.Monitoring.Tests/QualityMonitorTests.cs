using Microsoft.Extensions.Logging.Testing;
using MlOps.Sdk.Monitoring.Quality;
using Xunit;

namespace MlOps.Sdk.Monitoring.Tests;

public sealed class QualityMonitorTests
{
    [Fact]
    public void LabelsArrivingLaterAndOutOfOrder_GiveScikitLearnsMetricsForTheWindow()
    {
        var c = ReferenceVectors.Case("classification", "informative scores");
        var (labels, scores, predictions) = ReferenceVectors.Classification(c.GetProperty("spec"));
        var monitor = new ClassificationQualityMonitor(windowSize: labels.Length);
        QualityReport? report = null;
        monitor.WindowClosed += (_, r) => report = r;

        for (var i = 0; i < labels.Length; i++)
        {
            Assert.True(monitor.RecordPrediction($"tx-{i}", (scores[i], predictions[i])));
        }

        foreach (var i in Enumerable.Range(0, labels.Length).OrderBy(i => (i * 7919) % labels.Length))
        {
            Assert.True(monitor.RecordLabel($"tx-{i}", labels[i]));
        }

        Assert.NotNull(report);
        Assert.Equal(labels.Length, report.Rows);
        foreach (var (name, key) in new[] { ("accuracy", "accuracy"), ("precision", "precision"), ("recall", "recall"), ("f1", "f1"), ("roc_auc", "roc_auc"), ("log_loss", "log_loss") })
        {
            Assert.Equal(c.Number(key), report.Metrics[name], 1e-12);
        }

        Assert.Equal(0, monitor.Pending);
        Assert.Equal(QualityMetrics.ConfusionMatrix([.. labels.Select(l => l ? 1 : 0)], [.. predictions.Select(p => p ? 1 : 0)], 2).Cast<long>(), report.ConfusionMatrix!.Cast<long>());
    }

    [Fact]
    public void UnknownAndDuplicateKeys_AndAFullPendingSet_AreRefusedAndCounted()
    {
        var monitor = new RegressionQualityMonitor(windowSize: 10, pendingCapacity: 3);

        Assert.True(monitor.RecordPrediction("a", 1.0));
        Assert.False(monitor.RecordPrediction("a", 2.0));
        Assert.True(monitor.RecordPrediction("b", 1.0));
        Assert.True(monitor.RecordPrediction("c", 1.0));
        Assert.False(monitor.RecordPrediction("d", 1.0));
        Assert.False(monitor.RecordLabel("zzz", 1.0));
        Assert.True(monitor.RecordLabel("a", 1.5));
        Assert.False(monitor.RecordLabel("a", 1.5));

        Assert.Equal(1, monitor.Untracked);
        Assert.Equal(2, monitor.Pending);
    }

    [Fact]
    public void RegressionWindows_MeasureMaeRmseAndR2()
    {
        var monitor = new RegressionQualityMonitor(windowSize: 4);
        QualityReport? report = null;
        monitor.WindowClosed += (_, r) => report = r;
        double[] actual = [1, 2, 3, 4];
        double[] predicted = [1.5, 2, 2, 5];

        for (var i = 0; i < 4; i++)
        {
            monitor.RecordPrediction($"{i}", predicted[i]);
            monitor.RecordLabel($"{i}", actual[i]);
        }

        Assert.Equal(QualityMetrics.MeanAbsoluteError(actual, predicted), report!.Metrics["mae"]);
        Assert.Equal(QualityMetrics.RootMeanSquaredError(actual, predicted), report.Metrics["rmse"]);
        Assert.Equal(QualityMetrics.R2(actual, predicted), report.Metrics["r2"]);
    }

    [Fact]
    public void TheErrorDetector_FiresWhenTheModelStartsFailing()
    {
        var monitor = new ClassificationQualityMonitor(windowSize: 500);
        var alarms = 0;
        var reports = new List<QualityReport>();
        monitor.DetectorAlarm += (_, _) => alarms++;
        monitor.WindowClosed += (_, r) => reports.Add(r);
        var random = new Random(4);

        for (var i = 0; i < 2000; i++)
        {
            var wrong = random.NextDouble() < (i < 1000 ? 0.1 : 0.6);
            monitor.RecordPrediction($"{i}", (0.9, true));
            monitor.RecordLabel($"{i}", !wrong);
        }

        Assert.True(alarms >= 1);
        Assert.Equal(0, reports[0].DetectorAlarms);
        Assert.True(reports.Skip(2).Sum(r => r.DetectorAlarms) >= 1);
        Assert.True(reports[3].Metrics["accuracy"] < reports[0].Metrics["accuracy"]);
    }

    [Fact]
    public void SubscribersThatThrow_AreLogged_AndNeitherStopTheOthersNorTheLabel()
    {
        var logger = new FakeLogger();
        var monitor = new ClassificationQualityMonitor(windowSize: 2, detector: new AlwaysFires()) { Logger = logger };
        var (reports, alarms) = (new List<QualityReport>(), 0);
        monitor.WindowClosed += (_, _) => throw new InvalidOperationException("subscriber failed");
        monitor.WindowClosed += (_, r) => reports.Add(r);
        monitor.DetectorAlarm += (_, _) => throw new InvalidOperationException("alarm subscriber failed");
        monitor.DetectorAlarm += (_, _) => alarms++;

        for (var i = 0; i < 4; i++)
        {
            Assert.True(monitor.RecordPrediction($"{i}", (0.9, true)));
            Assert.True(monitor.RecordLabel($"{i}", i % 2 == 0));
        }

        Assert.Equal([0.5, 0.5], reports.Select(r => r.Metrics["accuracy"]));
        Assert.Equal(4, alarms);
        Assert.Equal(0, monitor.Pending);
        Assert.Equal(6, logger.Collector.GetSnapshot().Count(r => r.Exception is InvalidOperationException));
    }

    /// <summary>A detector that fires on every value.</summary>
    private sealed class AlwaysFires : IDriftDetector
    {
        public bool DriftDetected => true;

        public void Update(double value)
        {
        }
    }
}
