using MlOps.Sdk.Monitoring.Quality;
using Xunit;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>Quality metrics against scikit-learn 1.2's values for the same rows, to 1e-9 relative.</summary>
public sealed class QualityMetricsTests
{
    public static TheoryData<string> ClassificationCases => [.. ReferenceVectors.Section("classification").Select(c => c.GetProperty("name").GetString()!)];

    public static TheoryData<string> RegressionCases => [.. ReferenceVectors.Section("regression").Select(c => c.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(ClassificationCases))]
    public void Classification_MatchesScikitLearn(string name)
    {
        var c = ReferenceVectors.Case("classification", name);
        var (labels, scores, predictions) = ReferenceVectors.Classification(c.GetProperty("spec"));

        var (precision, recall, f1) = QualityMetrics.PrecisionRecallF1(labels, predictions);

        Close(c.Number("accuracy"), QualityMetrics.Accuracy(labels, predictions));
        Close(c.Number("precision"), precision);
        Close(c.Number("recall"), recall);
        Close(c.Number("f1"), f1);
        Close(c.Number("roc_auc"), QualityMetrics.RocAuc(labels, scores));
        Close(c.Number("log_loss"), QualityMetrics.LogLoss(labels, scores));
    }

    [Theory]
    [MemberData(nameof(RegressionCases))]
    public void Regression_MatchesScikitLearn(string name)
    {
        var c = ReferenceVectors.Case("regression", name);
        var actual = ReferenceVectors.Sample(c.GetProperty("actual"));
        var predicted = ReferenceVectors.Sample(c.GetProperty("predicted"));
        if (c.GetProperty("mix").GetBoolean())
        {
            predicted = actual.Zip(predicted, (a, p) => a + (p * 0.1)).ToArray();
        }

        Close(c.Number("mae"), QualityMetrics.MeanAbsoluteError(actual, predicted));
        Close(c.Number("rmse"), QualityMetrics.RootMeanSquaredError(actual, predicted));
        Close(c.Number("r2"), QualityMetrics.R2(actual, predicted));
        Close(c.Number("mse"), QualityMetrics.MeanSquaredError(actual, predicted));
        Close(c.Number("mape"), QualityMetrics.MeanAbsolutePercentageError(actual, predicted));
    }

    [Fact]
    public void UndefinedOrMismatchedInput_IsRefused()
    {
        Assert.Throws<MlOpsValidationException>(() => QualityMetrics.RocAuc([true, true], [0.2, 0.9]));
        Assert.Throws<MlOpsValidationException>(() => QualityMetrics.Accuracy([true], [true, false]));
        Assert.Throws<MlOpsValidationException>(() => QualityMetrics.MeanAbsoluteError([], []));
    }

    private static void Close(double expected, double actual)
    {
        if (expected == 0 || double.IsNaN(expected))
        {
            Assert.Equal(expected, actual);
            return;
        }

        var error = Math.Abs(actual - expected) / Math.Abs(expected);
        Assert.True(error <= 1e-9, $"expected {expected:R}, got {actual:R} (relative error {error:E2})");
    }
}
