using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Search;
using MlOps.Sdk.Tracking.Storage;
using Xunit;

namespace MlOps.Sdk.Storage.Conformance;

/// <summary>The behaviour every <see cref="TrackingStore"/> must have, exercised through <see cref="ExperimentTracker"/>.</summary>
public abstract class TrackingStoreConformanceTests : ProviderTestBase
{
    /// <summary>The run lease the suite configures.</summary>
    protected static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    /// <summary>The tracker under test.</summary>
    protected ExperimentTracker Tracker => Services.GetRequiredService<ExperimentTracker>();

    /// <summary>The store under test.</summary>
    protected TrackingStore Store => Services.GetRequiredService<TrackingStore>();

    /// <inheritdoc />
    protected override void ConfigureLayers(IMlOpsBuilder builder) => builder.AddTracking(o => o.RunLease = Lease);

    [Fact]
    public virtual async Task CreateExperimentAsync_ThenGet_ByNameAndId()
    {
        var created = await Tracker.CreateExperimentAsync("fraud");

        var byName = await Tracker.GetExperimentAsync("fraud");
        var byId = await Store.GetExperimentAsync(created.Id);

        Assert.Equal(created, byName);
        Assert.Equal(created, byId);
        Assert.False(created.IsDeleted);
        Assert.Equal(Time.GetUtcNow(), created.CreatedAt);
    }

    [Fact]
    public virtual async Task CreateExperimentAsync_TakenName_ThrowsConflict()
    {
        await Tracker.CreateExperimentAsync("fraud");

        await Assert.ThrowsAsync<MlOpsConflictException>(() => Tracker.CreateExperimentAsync("fraud"));
    }

    [Fact]
    public virtual async Task DeleteExperimentAsync_HidesUntilRestored()
    {
        await Tracker.CreateExperimentAsync("a");
        await Tracker.CreateExperimentAsync("b");

        await Tracker.DeleteExperimentAsync("a");

        Assert.Equal(["b"], (await Tracker.ListExperimentsAsync()).Select(e => e.Name));
        Assert.Equal(["a", "b"], (await Tracker.ListExperimentsAsync(includeDeleted: true)).Select(e => e.Name));
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Tracker.StartRunAsync("a"));

        await Tracker.RestoreExperimentAsync("a");

        Assert.Equal(["a", "b"], (await Tracker.ListExperimentsAsync()).Select(e => e.Name));
    }

    [Fact]
    public virtual async Task StartRunAsync_NewExperiment_CreatesItAndARunningRun()
    {
        await using var run = await Tracker.StartRunAsync("fraud", "first", new Dictionary<string, string> { ["team"] = "risk" });

        var stored = await Tracker.GetRunAsync(run.Id);

        Assert.NotNull(stored);
        Assert.Equal(RunStatus.Running, stored.Info.Status);
        Assert.Equal("first", stored.Info.Name);
        Assert.Equal("risk", stored.Tags["team"]);
        Assert.Equal((await Tracker.GetExperimentAsync("fraud"))!.Id, stored.Info.ExperimentId);
        Assert.Null(stored.Info.EndTime);
    }

    [Fact]
    public virtual async Task EndAsync_Status_IsStoredWithEndTime()
    {
        var run = await Tracker.StartRunAsync("fraud");
        Time.Advance(TimeSpan.FromSeconds(5));

        await run.EndAsync(RunStatus.Failed);

        var stored = await Tracker.GetRunAsync(run.Id);
        Assert.Equal(RunStatus.Failed, stored!.Info.Status);
        Assert.Equal(Time.GetUtcNow(), stored.Info.EndTime);
        Assert.Throws<InvalidOperationException>(() => run.LogMetric("late", 1));
    }

    [Fact]
    public virtual async Task DisposeAsync_UnendedRun_EndsFinished()
    {
        string id;
        await using (var run = await Tracker.StartRunAsync("fraud"))
        {
            id = run.Id;
            run.LogMetric("auc", 0.9);
        }

        var stored = await Tracker.GetRunAsync(id);
        Assert.Equal(RunStatus.Finished, stored!.Info.Status);
        Assert.Equal(0.9, stored.Metrics["auc"].Value);
    }

    [Fact]
    public virtual async Task LogParam_SameValueAgain_IsAcceptedAndDifferentValueThrows()
    {
        await using var run = await Tracker.StartRunAsync("fraud");

        run.LogParam("l2", 0.1);
        run.LogParam("l2", 0.1);
        run.LogParam("model", "sdca");
        run.LogParam("epochs", 10L);
        run.LogParam("shuffle", true);

        Assert.Throws<MlOpsConflictException>(() => run.LogParam("l2", 0.2));
        await run.FlushAsync();
        var stored = await Tracker.GetRunAsync(run.Id);
        Assert.Equal("0.1", stored!.Params["l2"]);
        Assert.Equal("sdca", stored.Params["model"]);
        Assert.Equal("10", stored.Params["epochs"]);
        Assert.Equal("true", stored.Params["shuffle"]);
    }

    [Fact]
    public virtual async Task WriteAsync_ParamWrittenDifferentlyElsewhere_KeepsStoredValueAndReportsConflict()
    {
        await using var run = await Tracker.StartRunAsync("fraud");
        var batch = new TrackingWriteBatch();
        batch.Params.Add(new RunValue(run.Id, "l2", "0.5"));
        await Store.WriteAsync(batch);

        run.LogParam("l2", "0.1");
        var error = await Assert.ThrowsAsync<MlOpsConflictException>(() => run.FlushAsync());

        Assert.Contains("l2", error.Message, StringComparison.Ordinal);
        Assert.Equal("0.5", (await Tracker.GetRunAsync(run.Id))!.Params["l2"]);
    }

    [Fact]
    public virtual async Task WriteAsync_UnknownRun_ThrowsNotFoundAndWritesNothingOfTheBatch()
    {
        await using var run = await Tracker.StartRunAsync("fraud");
        var batch = new TrackingWriteBatch();
        batch.Params.Add(new RunValue(run.Id, "kept-out", "1"));
        batch.Metrics.Add(new MetricAppend(run.Id, "m", new[] { new Metric(1, 0, 0) }));
        batch.Metrics.Add(new MetricAppend("0000000000000000000000000000dead", "m", new[] { new Metric(1, 0, 0) }));

        await Assert.ThrowsAsync<MlOpsNotFoundException>(() => Store.WriteAsync(batch));

        var stored = await Tracker.GetRunAsync(run.Id);
        Assert.Empty(stored!.Params);
        Assert.Empty(stored.Metrics);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData("/absolute")]
    [InlineData("semi;colon")]
    [InlineData("quote'")]
    public virtual async Task LogMetric_InvalidKey_ThrowsValidation(string key)
    {
        await using var run = await Tracker.StartRunAsync("fraud");

        Assert.Throws<MlOpsValidationException>(() => run.LogMetric(key, 1));
        Assert.Throws<MlOpsValidationException>(() => run.LogParam(key, "x"));
        Assert.Throws<MlOpsValidationException>(() => run.SetTag(key, "x"));
    }

    [Fact]
    public virtual async Task Limits_OverlongKeysAndValues_ThrowValidation()
    {
        await using var run = await Tracker.StartRunAsync("fraud");

        Assert.Throws<MlOpsValidationException>(() => run.LogMetric(new string('k', TrackingLimits.MaxKeyLength + 1), 1));
        Assert.Throws<MlOpsValidationException>(() => run.LogParam("p", new string('v', TrackingLimits.MaxParamValueLength + 1)));
        Assert.Throws<MlOpsValidationException>(() => run.SetTag("t", new string('v', TrackingLimits.MaxTagValueLength + 1)));
        run.LogParam(new string('k', TrackingLimits.MaxKeyLength), new string('v', TrackingLimits.MaxParamValueLength));
        run.SetTag("t", new string('v', TrackingLimits.MaxTagValueLength));
        await run.FlushAsync();
        Assert.Equal(TrackingLimits.MaxTagValueLength, (await Tracker.GetRunAsync(run.Id))!.Tags["t"].Length);
    }

    [Fact]
    public virtual async Task LogMetric_History_IsKeptInOrderAndLatestIsLargestStep()
    {
        await using var run = await Tracker.StartRunAsync("fraud");
        for (var step = 0; step < 10; step++)
        {
            run.LogMetric("loss", 1.0 / (step + 1), step);
            Time.Advance(TimeSpan.FromMilliseconds(10));
        }

        run.LogMetric("loss", 42, step: 5);
        run.LogMetric("odd", double.NaN, 0);
        run.LogMetric("odd", double.PositiveInfinity, 1);
        await run.FlushAsync();

        var history = await ToListAsync(Tracker.GetMetricHistoryAsync(run.Id, "loss"));
        Assert.Equal(11, history.Count);
        Assert.Equal(Enumerable.Range(0, 10).Select(s => (long)s).Append(5L), history.Select(p => p.Step));
        Assert.Equal(42, history[^1].Value);
        var stored = await Tracker.GetRunAsync(run.Id);
        Assert.Equal(new Metric(0.1, 9, history[9].Timestamp), stored!.Metrics["loss"]);
        Assert.Equal(double.PositiveInfinity, stored.Metrics["odd"].Value);
        Assert.True(double.IsNaN((await ToListAsync(Tracker.GetMetricHistoryAsync(run.Id, "odd")))[0].Value));
    }

    [Fact]
    public virtual async Task LogMetric_ExplicitTimestamp_IsKept()
    {
        await using var run = await Tracker.StartRunAsync("fraud");
        var at = new DateTimeOffset(2020, 5, 1, 12, 0, 0, TimeSpan.Zero);

        run.LogMetric("imported", 3, 7, at);
        await run.FlushAsync();

        var point = Assert.Single(await ToListAsync(Tracker.GetMetricHistoryAsync(run.Id, "imported")));
        Assert.Equal(new Metric(3, 7, at.ToUnixTimeMilliseconds()), point);
    }

    [Fact]
    public virtual async Task GetMetricBucketsAsync_MillionPointSeries_KeepsMinMaxLastPerBucket()
    {
        const int points = 1_000_000;
        const int width = points / 1000;
        await using var run = await Tracker.StartRunAsync("fraud");
        var values = new double[points];
        var random = new Random(7);
        for (var step = 0; step < points; step++)
        {
            values[step] = random.NextDouble();
            run.LogMetric("loss", values[step], step);
            if (step % 25_000 == 0)
            {
                await run.FlushAsync();
            }
        }

        await run.FlushAsync();

        var buckets = await Tracker.GetMetricBucketsAsync(run.Id, "loss", 1000);

        Assert.Equal(1000, buckets.Count);
        Assert.Equal(points, buckets.Sum(b => b.Count));
        for (var i = 0; i < buckets.Count; i++)
        {
            var slice = values.AsSpan(i * width, width).ToArray();
            Assert.Equal((long)i * width, buckets[i].FirstStep);
            Assert.Equal(((long)i * width) + width - 1, buckets[i].LastStep);
            Assert.Equal(slice.Min(), buckets[i].Min);
            Assert.Equal(slice.Max(), buckets[i].Max);
            Assert.Equal(slice[^1], buckets[i].Last.Value);
        }
    }

    [Fact]
    public virtual async Task GetMetricBucketsAsync_UnknownSeries_IsEmpty()
    {
        await using var run = await Tracker.StartRunAsync("fraud");

        Assert.Empty(await Tracker.GetMetricBucketsAsync(run.Id, "missing", 10));
        Assert.Null(await Store.GetMetricSeriesAsync(run.Id, "missing"));
    }

    [Fact]
    public virtual async Task SetTag_OverwriteAndDelete()
    {
        await using var run = await Tracker.StartRunAsync("fraud");

        run.SetTag("stage", "draft");
        run.SetTag("stage", "final");
        run.SetTag("gone", "soon");
        run.DeleteTag("gone");
        await run.FlushAsync();

        var tags = (await Tracker.GetRunAsync(run.Id))!.Tags;
        Assert.Equal("final", tags["stage"]);
        Assert.False(tags.ContainsKey("gone"));
    }

    [Fact]
    public virtual async Task LogInput_SameInputTwice_IsRecordedOnce()
    {
        await using var run = await Tracker.StartRunAsync("fraud");
        var input = new DatasetInput("transactions", ContentDigest.Compute("v1"u8), "training");

        run.LogInput(input);
        run.LogInput(input);
        run.LogInput(input with { Context = "evaluation" });
        await run.FlushAsync();

        var inputs = (await Tracker.GetRunAsync(run.Id))!.Inputs;
        Assert.Equal(2, inputs.Count);
        Assert.Contains(input, inputs);
    }

    [Fact]
    public virtual async Task LogArtifactAsync_ThenOpenAndDownload_ReturnsVerifiedContent()
    {
        await using var run = await Tracker.StartRunAsync("fraud");

        await run.LogArtifactAsync("model/model.onnx", new MemoryStream("onnx-bytes"u8.ToArray()));
        await run.LogArtifactAsync("notes.txt", new MemoryStream("v1"u8.ToArray()));
        var replaced = await run.LogArtifactAsync("notes.txt", new MemoryStream("v2"u8.ToArray()));

        var stored = (await Tracker.GetRunAsync(run.Id))!;
        Assert.Equal(["model/model.onnx", "notes.txt"], stored.Artifacts.Select(a => a.Path.Value).Order(StringComparer.Ordinal));
        Assert.Equal(replaced.Digest, stored.Artifacts.Single(a => a.Path.Value == "notes.txt").Digest);
        await using (var stream = await Tracker.OpenArtifactAsync(run.Id, "model/model.onnx"))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            Assert.Equal("onnx-bytes", await reader.ReadToEndAsync());
        }

        var destination = Path.Combine(Root, "download");
        await Tracker.DownloadArtifactsAsync(run.Id, destination);
        Assert.Equal("onnx-bytes", await File.ReadAllTextAsync(Path.Combine(destination, "model", "model.onnx")));
        Assert.Equal("v2", await File.ReadAllTextAsync(Path.Combine(destination, "notes.txt")));
        await Assert.ThrowsAsync<MlOpsNotFoundException>(() => Tracker.OpenArtifactAsync(run.Id, "missing.bin"));
        await Assert.ThrowsAsync<UnsafePathException>(() => run.LogArtifactAsync("../outside", new MemoryStream()));
    }

    [Fact]
    public virtual async Task RunWithExpiredLease_ReadsAsKilledAtLeaseExpiry()
    {
        var experiment = await Tracker.CreateExperimentAsync("fraud");
        var start = Time.GetUtcNow();
        var info = await Store.CreateRunAsync(new NewRun("00000000000000000000000000000abc", experiment.Id, "orphan", start, start + Lease, new Dictionary<string, string>()));
        Assert.Equal(RunStatus.Running, info.Status);

        Time.Advance(Lease + TimeSpan.FromSeconds(1));

        var stored = await Tracker.GetRunAsync(info.RunId);
        Assert.Equal(RunStatus.Killed, stored!.Info.Status);
        Assert.Equal(start + Lease, stored.Info.EndTime);
        var found = await Tracker.SearchRunsAsync(new RunSearchQuery { Filter = "attributes.status = 'KILLED'" });
        Assert.Equal(info.RunId, Assert.Single(found.Runs).Info.RunId);
    }

    [Fact]
    public virtual async Task LiveRun_LeaseIsRenewed_AndStaysRunning()
    {
        await using var run = await Tracker.StartRunAsync("fraud");

        for (var i = 0; i < 6; i++)
        {
            Time.Advance(Lease / 2);
            await run.FlushAsync();
        }

        Assert.Equal(RunStatus.Running, (await Tracker.GetRunAsync(run.Id))!.Info.Status);
    }

    [Fact]
    public virtual async Task ImportRunsAsync_Runs_ReadBackWholeAndAreSearchable()
    {
        var start = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
        var history = Enumerable.Range(0, 20_000).Select(i => new Metric(i == 19_999 ? double.NaN : i * 0.5, i, start.AddSeconds(i).ToUnixTimeMilliseconds())).ToArray();
        var digest = ContentDigest.Compute([1, 2, 3]);
        var imports = Enumerable.Range(0, 1_500).Select(i => new RunImport($"old-{i}", i % 3 == 0 ? RunStatus.Failed : RunStatus.Finished, start.AddMinutes(i), start.AddMinutes(i + 1))
        {
            RunId = $"imported{i:0000}",
            Params = new Dictionary<string, string> { ["lr"] = (i * 0.001).ToString("R", System.Globalization.CultureInfo.InvariantCulture), ["model"] = i % 2 == 0 ? "sdca" : "lbfgs" },
            Tags = i == 0 ? new Dictionary<string, string> { ["team"] = "risk", [RunAttributes.UserTag] = "carol" } : new Dictionary<string, string> { ["team"] = "growth" },
            Metrics = new Dictionary<string, IReadOnlyList<Metric>> { ["auc"] = [new Metric(i / 1500.0, 0, start.ToUnixTimeMilliseconds())], ["loss"] = i == 1 ? history : [] },
            Inputs = i % 500 == 0 ? [new DatasetInput("transactions", digest, "training")] : [],
        });

        Assert.Equal(1_500, await Tracker.ImportRunsAsync("history", imports));

        var first = (await Tracker.GetRunAsync("imported0000"))!;
        Assert.Equal(new RunInfo("imported0000", first.Info.ExperimentId, "old-0", RunStatus.Failed, start, start.AddMinutes(1)), first.Info);
        Assert.Equal("carol", first.Tags[RunAttributes.UserTag]);
        Assert.Equal("risk", first.Tags["team"]);
        Assert.Equal("0", first.Params["lr"]);
        Assert.Equal(new DatasetInput("transactions", digest, "training"), Assert.Single(first.Inputs));
        var second = (await Tracker.GetRunAsync("imported0001"))!;
        Assert.Equal(RunStatus.Finished, second.Info.Status);
        Assert.True(double.IsNaN(second.Metrics["loss"].Value));
        Assert.Equal(history, await ToListAsync(Tracker.GetMetricHistoryAsync("imported0001", "loss")));
        Assert.Equal(19_999, second.Metrics["loss"].Step);

        var best = await Tracker.SearchRunsAsync(new RunSearchQuery { ExperimentNames = ["history"], Filter = "params.model = 'lbfgs' AND metrics.auc > 0.99", OrderBy = ["metrics.auc DESC"], MaxResults = 3 });
        Assert.Equal(["imported1499", "imported1497", "imported1495"], best.Runs.Select(r => r.Info.RunId));
        Assert.Equal(3, (await Tracker.SearchRunsAsync(new RunSearchQuery { Filter = "datasets.name = 'transactions'", MaxResults = 10 })).Runs.Count);
    }

    [Fact]
    public virtual async Task ImportRunsAsync_TakenIdOrInvalidRun_ThrowsAndStoresNothingOfThatWrite()
    {
        var start = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
        RunImport Run(string id) => new("old", RunStatus.Finished, start, start.AddMinutes(1)) { RunId = id, Params = new Dictionary<string, string> { ["p"] = "1" } };
        await Tracker.ImportRunsAsync("history", [Run("a1")]);

        await Assert.ThrowsAsync<MlOpsConflictException>(() => Tracker.ImportRunsAsync("history", [Run("b1"), Run("a1")]));
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Tracker.ImportRunsAsync("history", [Run("b2"), Run("b2") with { Status = RunStatus.Running }]));
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Tracker.ImportRunsAsync("history", [Run("b3") with { EndTime = start.AddMinutes(-1) }]));
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Tracker.ImportRunsAsync("history", [Run("../b4")]));
        await Assert.ThrowsAsync<MlOpsValidationException>(() => Tracker.ImportRunsAsync("history", [Run("b5") with { Params = new Dictionary<string, string> { ["bad key!"] = "1" } }]));

        var all = await Tracker.SearchRunsAsync(new RunSearchQuery { ExperimentNames = ["history"], MaxResults = 10 });
        Assert.Equal(["a1"], all.Runs.Select(r => r.Info.RunId));
    }

    [Fact]
    public virtual async Task GetRunAsync_Unknown_ReturnsNull()
    {
        Assert.Null(await Tracker.GetRunAsync("ffffffffffffffffffffffffffffffff"));
        await Assert.ThrowsAsync<MlOpsNotFoundException>(() => Store.EndRunAsync("ffffffffffffffffffffffffffffffff", RunStatus.Finished, Time.GetUtcNow()));
    }

    /// <summary>Collects an async sequence.</summary>
    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
