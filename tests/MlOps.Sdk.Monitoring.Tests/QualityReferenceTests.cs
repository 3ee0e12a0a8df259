using System.Text.Json;
using MlOps.Sdk.Monitoring.Quality;
using MlOps.Sdk.Monitoring.Statistics;
using Xunit;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>
/// The model-quality statistics against independent implementations, from Reference/quality.json
/// (tools/reference/quality_vectors.py): Wilson intervals and McNemar's exact test against statsmodels, DeLong against
/// R's pROC, multiclass metrics against scikit-learn; all to 1e-9.
/// </summary>
public sealed class QualityReferenceTests
{
    private const double Tolerance = 1e-9;
    private static readonly Lazy<JsonElement> Vectors = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "quality.json"))).RootElement);

    public static TheoryData<int> WilsonCases() => [.. Enumerable.Range(0, Vectors.Value.GetProperty("wilson").GetArrayLength())];

    public static TheoryData<int> McNemarCases() => [.. Enumerable.Range(0, Vectors.Value.GetProperty("mcnemar").GetArrayLength())];

    public static TheoryData<int> DeLongCases() => [.. Enumerable.Range(0, Vectors.Value.GetProperty("delong").GetArrayLength())];

    public static TheoryData<int> MulticlassCases() => [.. Enumerable.Range(0, Vectors.Value.GetProperty("multiclass").GetArrayLength())];

    [Theory]
    [MemberData(nameof(WilsonCases))]
    public void Wilson_EqualsStatsmodels(int index)
    {
        var v = Vectors.Value.GetProperty("wilson")[index];

        var interval = ConfidenceInterval.Wilson(v.GetProperty("successes").GetInt64(), v.GetProperty("trials").GetInt64(), v.GetProperty("level").GetDouble());

        Close(v.GetProperty("lower").GetDouble(), interval.Lower);
        Close(v.GetProperty("upper").GetDouble(), interval.Upper);
    }

    [Theory]
    [MemberData(nameof(McNemarCases))]
    public void McNemarExact_EqualsStatsmodels(int index)
    {
        var v = Vectors.Value.GetProperty("mcnemar")[index];

        var result = HypothesisTests.McNemarExact(v.GetProperty("b").GetInt64(), v.GetProperty("c").GetInt64());

        Close(v.GetProperty("statistic").GetDouble(), result.Statistic);
        Close(v.GetProperty("pvalue").GetDouble(), result.PValue);
    }

    [Theory]
    [MemberData(nameof(DeLongCases))]
    public void DeLong_IntervalsVarianceAndPairedTest_EqualPROC(int index)
    {
        var v = Vectors.Value.GetProperty("delong")[index];
        var labels = v.GetProperty("labels").EnumerateArray().Select(x => x.GetBoolean()).ToArray();
        var scores = Doubles(v.GetProperty("scores"));
        var second = Doubles(v.GetProperty("second"));

        var (auc, variance) = DeLong.Auc(labels, scores);
        Close(v.GetProperty("variance").GetDouble(), variance);
        foreach (var expected in v.GetProperty("intervals").EnumerateArray())
        {
            var interval = DeLong.AucInterval(labels, scores, expected.GetProperty("level").GetDouble());
            Close(expected.GetProperty("auc").GetDouble(), auc);
            Close(expected.GetProperty("lower").GetDouble(), interval.Lower);
            Close(expected.GetProperty("upper").GetDouble(), interval.Upper);
        }

        var paired = DeLong.Paired(labels, scores, second);
        var r = v.GetProperty("paired");
        Close(r.GetProperty("z").GetDouble(), paired.Z);
        Close(r.GetProperty("pvalue").GetDouble(), paired.PValue);
        Close(r.GetProperty("first").GetDouble(), paired.First);
        Close(r.GetProperty("second").GetDouble(), paired.Second);
        Close(QualityMetrics.RocAuc(labels, scores), auc);
    }

    [Theory]
    [MemberData(nameof(MulticlassCases))]
    public void Multiclass_EqualsScikitLearn(int index)
    {
        var v = Vectors.Value.GetProperty("multiclass")[index];
        var labels = Ints(v.GetProperty("labels"));
        var predictions = Ints(v.GetProperty("predictions"));
        var classes = v.GetProperty("classes").GetInt32();

        Close(v.GetProperty("accuracy").GetDouble(), QualityMetrics.Accuracy(labels, predictions));
        var confusion = QualityMetrics.ConfusionMatrix(labels, predictions, classes);
        var expected = v.GetProperty("confusion").EnumerateArray().Select(row => row.EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToArray();
        Assert.Equal(expected.SelectMany(r => r), confusion.Cast<long>());
        foreach (var (name, averaging) in new[] { ("macro", Averaging.Macro), ("weighted", Averaging.Weighted), ("micro", Averaging.Micro) })
        {
            var (p, r, f) = QualityMetrics.PrecisionRecallF1(labels, predictions, averaging);
            var sk = Doubles(v.GetProperty(name));
            Close(sk[0], p);
            Close(sk[1], r);
            Close(sk[2], f);
        }

        if (v.TryGetProperty("probabilities", out var rows))
        {
            var probabilities = new double[labels.Length, classes];
            var i = 0;
            foreach (var row in rows.EnumerateArray())
            {
                var j = 0;
                foreach (var p in row.EnumerateArray())
                {
                    probabilities[i, j++] = p.GetDouble();
                }

                i++;
            }

            Close(v.GetProperty("log_loss").GetDouble(), QualityMetrics.LogLoss(labels, probabilities));
            Close(v.GetProperty("auc_macro").GetDouble(), QualityMetrics.RocAucOneVsRest(labels, probabilities, Averaging.Macro));
            Close(v.GetProperty("auc_weighted").GetDouble(), QualityMetrics.RocAucOneVsRest(labels, probabilities, Averaging.Weighted));
        }
    }

    /// <summary>The same vectors through a windowed monitor: labels joined later and out of order give scikit-learn's window.</summary>
    [Theory]
    [MemberData(nameof(MulticlassCases))]
    public void MulticlassQualityMonitor_ReportsScikitLearnsMetricsAndConfusionMatrix_PerWindow(int index)
    {
        var v = Vectors.Value.GetProperty("multiclass")[index];
        var labels = Ints(v.GetProperty("labels"));
        var predictions = Ints(v.GetProperty("predictions"));
        var classes = v.GetProperty("classes").GetInt32();
        double[][]? probabilities = v.TryGetProperty("probabilities", out var rows) ? [.. rows.EnumerateArray().Select(Doubles)] : null;
        var monitor = new MulticlassQualityMonitor(classes, windowSize: labels.Length);
        QualityReport? report = null;
        monitor.WindowClosed += (_, r) => report = r;

        for (var i = 0; i < labels.Length; i++)
        {
            Assert.True(monitor.RecordPrediction($"r{i}", (predictions[i], probabilities?[i])));
        }

        foreach (var i in Enumerable.Range(0, labels.Length).Reverse())
        {
            monitor.RecordLabel($"r{i}", labels[i]);
        }

        Assert.NotNull(report);
        Close(v.GetProperty("accuracy").GetDouble(), report.Metrics["accuracy"]);
        foreach (var name in new[] { "macro", "weighted" })
        {
            var sk = Doubles(v.GetProperty(name));
            Close(sk[0], report.Metrics[$"precision_{name}"]);
            Close(sk[1], report.Metrics[$"recall_{name}"]);
            Close(sk[2], report.Metrics[$"f1_{name}"]);
        }

        Assert.Equal(v.GetProperty("confusion").EnumerateArray().SelectMany(row => row.EnumerateArray().Select(x => x.GetInt64())), report.ConfusionMatrix!.Cast<long>());
        if (probabilities is not null)
        {
            Close(v.GetProperty("log_loss").GetDouble(), report.Metrics["log_loss"]);
            Close(v.GetProperty("auc_macro").GetDouble(), report.Metrics["roc_auc_macro"]);
            Close(v.GetProperty("auc_weighted").GetDouble(), report.Metrics["roc_auc_weighted"]);
        }
        else
        {
            Assert.False(report.Metrics.ContainsKey("log_loss"));
        }

        Assert.Throws<MlOpsValidationException>(() => monitor.RecordPrediction("bad", (classes, null)));
        Assert.Throws<MlOpsValidationException>(() => monitor.RecordPrediction("bad", (0, new double[classes + 1])));
        Assert.Throws<MlOpsValidationException>(() => monitor.RecordLabel("bad", -1));
    }

    [Fact]
    public void MeanSquaredError_EqualsScikitLearn()
    {
        var v = Vectors.Value.GetProperty("mse");

        Close(v.GetProperty("value").GetDouble(), QualityMetrics.MeanSquaredError(Doubles(v.GetProperty("actual")), Doubles(v.GetProperty("predicted"))));
    }

    private static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(x => x.GetDouble())];

    private static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(x => x.GetInt32())];

    private static void Close(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Max(1, Math.Abs(expected)), $"{actual:R} where {expected:R} was expected");
}
