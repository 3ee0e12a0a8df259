using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using Xunit;
using Features = MlOps.Sdk.Monitoring.Tests.HostMonitoringTests.Features;
using Score = MlOps.Sdk.Monitoring.Tests.HostMonitoringTests.Score;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>Tests that listen to the SDK's spans: a listener is process-wide, so these run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SpanListeningCollection
{
    public const string Name = "Listens to spans";
}

/// <summary>Every layer traces its operations on an <see cref="ActivitySource"/> named as its meter.</summary>
[Collection(SpanListeningCollection.Name)]
public sealed class TracingTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mlops-tracing-" + Guid.NewGuid().ToString("N")[..8]);

    public TracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("MlOps.Sdk.", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose()
    {
        _listener.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Tracking_Registry_Datasets_Serving_AndDrift_EachEmitTheirSpans()
    {
        var model = "traced-" + Guid.NewGuid().ToString("N")[..6];
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = _root).AddTracking().AddDatasets().AddModelRegistry().UseSqlite()
            .AddModelHost<Features, Score>(model, h => h.FollowAlias("production"));
        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ExperimentTracker>();
        var registry = provider.GetRequiredService<ModelRegistry>();
        var data = Directory.CreateDirectory(Path.Combine(_root, "data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "rows.csv"), "a,b\n1,2\n");

        await using (var run = await tracker.StartRunAsync(model))
        {
            run.LogMetric("loss", 0.5, step: 1);
            await run.FlushAsync();
        }

        await provider.GetRequiredService<IDatasetRegistry>().SnapshotAsync(model, data);
        var version = await registry.RegisterModelAsync(model, new MemoryStream(OnnxModels.Mlp(10, [8])));
        await registry.SetAliasAsync(model, "production", version.Number);
        await Assert.ThrowsAsync<MlOpsNotFoundException>(() => registry.SetAliasAsync(model, "production", 99));
        var host = provider.GetRequiredKeyedService<ModelHost<Features, Score>>(model);
        Assert.True(await host.SwapToAsync(version));
        var random = new Random(3);
        host.Predict(Features.Random(random, 0));
        host.Predict([Features.Random(random, 0), Features.Random(random, 0)]);
        var monitor = new DriftMonitor<Features>(ReferenceProfile.Build(Enumerable.Range(0, 200).Select(_ => Features.Random(random, 0))));
        monitor.Evaluate(Enumerable.Range(0, 100).Select(_ => Features.Random(random, 1)));

        Assert.Contains(_spans, s => s.Source.Name == "MlOps.Sdk.Tracking" && s.OperationName == "mlops.tracking.flush" && (int)s.GetTagItem("mlops.tracking.points")! >= 1);
        Assert.Contains(_spans, s => s.OperationName == "mlops.dataset.snapshot" && Subject(s) == model);
        Assert.Contains(_spans, s => s.Source.Name == "MlOps.Sdk.Versioning" && s.OperationName == "mlops.registry.register" && Subject(s) == model);
        Assert.Contains(_spans, s => s.OperationName == "mlops.registry.set_alias" && Subject(s) == $"{model}@production" && s.Status == ActivityStatusCode.Unset);
        Assert.Contains(_spans, s => s.OperationName == "mlops.registry.set_alias" && Subject(s) == $"{model}@production" && s.Status == ActivityStatusCode.Error);
        Assert.Single(_spans, s => s.OperationName == "mlops.swap" && (string?)s.GetTagItem("mlops.model") == model);
        var predictions = _spans.Where(s => s.OperationName == "mlops.predict" && (string?)s.GetTagItem("mlops.model") == model).ToList();
        Assert.Contains(predictions, s => (int)s.GetTagItem("mlops.rows")! == 1);
        Assert.Contains(predictions, s => (int)s.GetTagItem("mlops.rows")! == 2);
        Assert.Contains(_spans, s => s.Source.Name == "MlOps.Sdk.Monitoring" && s.OperationName == "mlops.drift.evaluate" && (int)s.GetTagItem("mlops.drift.rows")! == 100);

        static string? Subject(Activity span) => (string?)span.GetTagItem("mlops.subject");
    }
}
