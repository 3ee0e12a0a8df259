using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Testing.Quality;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Testing.Tests.Quality;

/// <summary>
/// Model-quality assertions on a real ONNX model (Identity over two columns: the first is a score that separates the
/// classes, the second the same score with noise), served from a file and from a registry reference.
/// </summary>
public sealed class ModelAssertionTests : IAsyncLifetime
{
    private string _file = null!;
    private ModelUnderTest<Row, Scores> _model = null!;

    public async Task InitializeAsync()
    {
        _file = Path.Combine(Path.GetTempPath(), $"mlops-quality-{Guid.NewGuid():N}.onnx");
        await File.WriteAllBytesAsync(_file, OnnxModels.Identity(OnnxModels.Float, ["batch", 2]));
        _model = await ModelUnderTest.FromFileAsync<Row, Scores>(_file);
    }

    public async Task DisposeAsync()
    {
        await _model.DisposeAsync();
        File.Delete(_file);
    }

    [Fact]
    public void AucClaim_OnTheValuePasses_ButItsLowerBoundFailsOn200Rows_AndBothPassOn20000()
    {
        var small = _model.Host.EvaluateBinary(Rows(200, separation: 2.0, seed: 3), r => r.Positive, s => s.Y![0]);
        var large = _model.Host.EvaluateBinary(Rows(20_000, separation: 2.0, seed: 3), r => r.Positive, s => s.Y![0]);

        ModelAssert.That(small).AtLeast(Metric.RocAuc, 0.9).Verify();
        var error = Assert.Throws<ModelAssertionException>(() => ModelAssert.That(small).AtLeast(Metric.RocAuc, 0.9, confidence: 0.95).Verify());
        ModelAssert.That(large).AtLeast(Metric.RocAuc, 0.9).AtLeast(Metric.RocAuc, 0.9, confidence: 0.95).Verify();

        Assert.InRange(small.RocAuc, 0.9, 1);
        Assert.InRange(small.Interval(Metric.RocAuc).Lower, 0, 0.9);
        Assert.Contains("the holdout is too small to support the claim", error.Message, StringComparison.Ordinal);
        Assert.Contains("n = 200", error.Message, StringComparison.Ordinal);
        Assert.Contains("ROC AUC", error.Message, StringComparison.Ordinal);
        Assert.Contains("Confusion matrix", error.Message, StringComparison.Ordinal);
        var check = Assert.Single(error.Checks);
        Assert.False(check.Passed);
        Assert.Equal(small.RocAuc, check.Value);
    }

    [Fact]
    public void EveryMetric_MatchesMonitoringsImplementation_AndItsIntervalHoldsTheValue()
    {
        var evaluation = _model.Host.EvaluateBinary(Rows(1_000, separation: 1.5, seed: 5), r => r.Positive, s => Sigmoid(s.Y![0]));

        foreach (var metric in Enum.GetValues<Metric>())
        {
            var interval = evaluation.Interval(metric);
            Assert.True(interval.Contains(evaluation.Value(metric)) || metric == Metric.LogLoss, $"{metric}: {evaluation.Value(metric)} outside {interval}");
            Assert.Equal(interval, evaluation.Interval(metric));
        }

        Assert.Equal(evaluation.Count, evaluation.ConfusionMatrix.Cast<long>().Sum());
        Assert.Equal((double)(evaluation.TruePositives + evaluation.TrueNegatives) / evaluation.Count, evaluation.Accuracy);
        Assert.Equal(Monitoring.Quality.QualityMetrics.RocAuc([.. evaluation.Labels], [.. evaluation.Scores]), evaluation.RocAuc);
    }

    [Fact]
    public void NoWorseThan_CatchesARegressionOnTheSameRows_NamingBothValuesAndTheDifference()
    {
        var rows = Rows(3_000, separation: 1.5, seed: 8, noise: 1.5);
        var reference = _model.Host.EvaluateBinary(rows, r => r.Positive, s => s.Y![0]);
        var candidate = _model.Host.EvaluateBinary(rows, r => r.Positive, s => s.Y![1]);

        ModelAssert.That(reference).NoWorseThan(reference, Metric.RocAuc, margin: 0.01).NoWorseThan(reference, Metric.Accuracy, margin: 0.01).Verify();
        var error = Assert.Throws<ModelAssertionException>(() => ModelAssert.That(candidate).NoWorseThan(reference, Metric.RocAuc, margin: 0.01).NoWorseThan(reference, Metric.Accuracy, margin: 0.01).Verify());

        Assert.Equal(2, error.Checks.Count(c => !c.Passed));
        Assert.Contains($"candidate {candidate.RocAuc:0.####}, reference {reference.RocAuc:0.####}", error.Message, StringComparison.Ordinal);
        Assert.Contains("paired DeLong", error.Message, StringComparison.Ordinal);
        Assert.Contains("McNemar exact p = ", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ModelAssert.That(candidate).NoWorseThan(_model.Host.EvaluateBinary(rows.Take(10), r => r.Positive, s => s.Y![0]), Metric.RocAuc, 0.01));
    }

    [Fact]
    public void PerSlice_NamesTheWorstSlice_AndDoesNotHoldSlicesBelowTheMinimumSize()
    {
        // In "FR" the score says nothing about the label; "LU" has too few rows to be held.
        var rows = Rows(3_000, separation: 2.0, seed: 9)
            .Select((r, i) => i % 3 == 0 ? r with { Country = "FR", X = [(float)(i % 7), r.X[1]] } : r)
            .Concat(Rows(10, separation: 2.0, seed: 10).Select(r => r with { Country = "LU" }))
            .ToList();
        var evaluation = _model.Host.EvaluateBinary(rows, r => r.Positive, s => s.Y![0], threshold: 1.0);

        var error = Assert.Throws<ModelAssertionException>(() => ModelAssert.That(evaluation).AtLeastPerSlice("country", r => r.Country, Metric.RocAuc, 0.8, minSliceSize: 30).Verify());

        Assert.Contains("worst 'FR'", error.Message, StringComparison.Ordinal);
        Assert.Contains("LU", error.Message, StringComparison.Ordinal);
        Assert.Contains("(under 30 rows: not held)", error.Message, StringComparison.Ordinal);
        ModelAssert.That(evaluation).AtLeastPerSlice("country", r => r.Country, Metric.RocAuc, 0.8, minSliceSize: 30_000).Checks.Single(c => !c.Passed);
    }

    [Fact]
    public async Task AsyncRows_FromARegistryReference_GiveTheSameEvaluation()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().UseInMemoryStores();
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ModelRegistry>();
        var version = await registry.RegisterModelFileAsync("scorer", _file);
        await registry.SetAliasAsync("scorer", "production", version.Number);
        await using var production = await ModelUnderTest.FromRegistryAsync<Row, Scores>(registry, "scorer@production");
        var rows = Rows(2_500, separation: 1.0, seed: 11);

        var fromFile = _model.Host.EvaluateBinary(rows, r => r.Positive, s => s.Y![0], batchSize: 333);
        var fromRegistry = await production.Host.EvaluateBinaryAsync(rows.ToAsyncEnumerable(), r => r.Positive, s => s.Y![0]);

        Assert.Equal("scorer@production (scorer/1)", production.Source);
        Assert.Equal(fromFile.Scores, fromRegistry.Scores);
        Assert.Equal(fromFile.RocAuc, fromRegistry.RocAuc);
        await Assert.ThrowsAsync<MlOpsNotFoundException>(() => ModelUnderTest.FromRegistryAsync<Row, Scores>(registry, "scorer@staging"));
    }

    [Fact]
    public async Task AModelTheTypesDoNotFit_IsNotLoaded_WithTheReason()
    {
        var error = await Assert.ThrowsAsync<Serving.ModelNotLoadedException>(() => ModelUnderTest.FromFileAsync<WrongRow, Scores>(_file));

        Assert.Contains("verify", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Behaviour_Invariance_Direction_AndExpectedLabels_ReportTheRowsThatBreakThem()
    {
        var rows = Rows(500, separation: 1.0, seed: 12);

        ModelAssert.Behaviour(_model.Host, s => s.Y![0])
            .Invariant("second column does not matter", rows, r => r with { X = [r.X[0], r.X[1] + 100] }, epsilon: 0)
            .Directional("raising the first column", rows, r => r with { X = [r.X[0] + 1, r.X[1]] }, ScoreDirection.NotDecreasing)
            .Expect("obvious cases", [(new Row { X = [5, 0] }, true), (new Row { X = [-5, 0] }, false)])
            .Verify();
        var error = Assert.Throws<ModelAssertionException>(() => ModelAssert.Behaviour(_model.Host, s => s.Y![0])
            .Invariant("first column does not matter", rows, r => r with { X = [r.X[0] + 0.5f, r.X[1]] }, epsilon: 0.01)
            .Directional("raising the first column lowers the score", rows, r => r with { X = [r.X[0] + 1, r.X[1]] }, ScoreDirection.NotIncreasing)
            .Expect("obvious cases", [(new Row { X = [5, 0] }, false), (new Row { X = [-5, 0] }, false)])
            .Verify());

        Assert.Equal(3, error.Checks.Count(c => !c.Passed));
        Assert.Contains("500 of 500 rows break it; largest change 0.5", error.Message, StringComparison.Ordinal);
        Assert.Contains("row 0: score ", error.Message, StringComparison.Ordinal);
        Assert.Contains("1 of 2 cases get the other label", error.Message, StringComparison.Ordinal);
        Assert.Contains("row 0: expected negative, score 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Golden_IsWrittenOnce_ThenHeldTo_AndADifferentModelShowsTheRowsThatDiffer()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mlops-golden-{Guid.NewGuid():N}", "golden.json");
        var rows = Rows(50, separation: 1.0, seed: 13);
        try
        {
            var first = Assert.Throws<ModelAssertionException>(() => ModelAssert.Behaviour(_model.Host, s => s.Y![0]).MatchesGolden(path, rows).Verify());
            Assert.Contains("was written with 50 rows; review it, commit it, and run again", first.Message, StringComparison.Ordinal);

            ModelAssert.Behaviour(_model.Host, s => s.Y![0]).MatchesGolden(path, []).Verify();
            var changed = Assert.Throws<ModelAssertionException>(() => ModelAssert.Behaviour(_model.Host, s => s.Y![1]).MatchesGolden(path, [], tolerance: 1e-3).Verify());

            Assert.Contains("rows differ", changed.Message, StringComparison.Ordinal);
            Assert.Contains("row 0: golden ", changed.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void NoDriftFrom_TheTrainingProfile_NamesTheDriftedFeatures()
    {
        var training = Rows(5_000, separation: 1.0, seed: 14);
        var profile = Monitoring.ReferenceProfile.Build(training, name => name == "X");
        var holdout = _model.Host.EvaluateBinary(Rows(2_000, separation: 1.0, seed: 15), r => r.Positive, s => s.Y![0]);
        var shifted = _model.Host.EvaluateBinary(Rows(2_000, separation: 1.0, seed: 16).Select(r => r with { X = [r.X[0] + 1, r.X[1]] }), r => r.Positive, s => s.Y![0]);

        ModelAssert.That(holdout).NoDriftFrom(profile).Verify();
        var error = Assert.Throws<ModelAssertionException>(() => ModelAssert.That(shifted).NoDriftFrom(profile).Verify());

        Assert.Contains("X[0]", error.Message, StringComparison.Ordinal);
        Assert.Contains("Drifted features:", error.Message, StringComparison.Ordinal);
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>Rows whose first column is N(separation·label, 1) and second the first plus N(0, noise).</summary>
    private static List<Row> Rows(int n, double separation, int seed, double noise = 1)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return [.. Enumerable.Range(0, n).Select(i =>
        {
            var positive = random.NextDouble() < 0.4;
            var score = Normal() + (positive ? separation : 0);
            return new Row { Positive = positive, Country = i % 2 == 0 ? "DE" : "NL", X = [(float)score, (float)(score + (noise * Normal()))] };
        })];
    }

    public sealed record Row
    {
        public float[] X { get; init; } = [];

        public bool Positive { get; init; }

        public string Country { get; init; } = "DE";
    }

    public sealed class WrongRow
    {
        public double[]? X { get; set; }
    }

    public sealed class Scores
    {
        public float[]? Y { get; set; }
    }
}
