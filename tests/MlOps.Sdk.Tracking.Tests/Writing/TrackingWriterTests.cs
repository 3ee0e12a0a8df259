using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Tracking.Storage;
using Xunit;

namespace MlOps.Sdk.Tracking.Tests.Writing;

public sealed class TrackingWriterTests
{
    [Fact]
    public async Task LogMetric_QueueFull_DropNewest_CountsDropsAndKeepsTheRest()
    {
        var (services, store) = Build(o => o.QueueCapacity = 100);
        await using var _ = services;
        var tracker = services.GetRequiredService<ExperimentTracker>();
        var run = await tracker.StartRunAsync("queue");
        using var dropped = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "MlOps.Sdk.Tracking", "mlops.tracking.points.dropped");
        store.Close();
        run.LogMetric("warm", 0);
        await WaitUntil(() => store.Attempts > 0);

        for (var i = 0; i < 150; i++)
        {
            run.LogMetric("m", i, i);
        }

        Assert.Equal(50, run.DroppedPoints);
        Assert.Equal(50, dropped.GetMeasurementSnapshot().EvaluateAsCounter());
        store.Open();
        await run.EndAsync();
        var summary = await store.GetMetricSeriesAsync(run.Id, "m");
        Assert.Equal(100, summary!.Count);
        Assert.Equal(99, summary.MaxStep);
    }

    [Fact]
    public async Task LogMetric_QueueFull_ThrowMode_ThrowsTypedError()
    {
        var (services, store) = Build(o =>
        {
            o.QueueCapacity = 10;
            o.QueueFullMode = MetricQueueFullMode.Throw;
        });
        await using var _ = services;
        var run = await services.GetRequiredService<ExperimentTracker>().StartRunAsync("queue");
        store.Close();
        run.LogMetric("warm", 0);
        await WaitUntil(() => store.Attempts > 0);
        for (var i = 0; i < 10; i++)
        {
            run.LogMetric("m", i);
        }

        Assert.Throws<MetricQueueFullException>(() => run.LogMetric("m", 11));
        store.Open();
        await run.EndAsync();
        Assert.Equal(10, (await store.GetMetricSeriesAsync(run.Id, "m"))!.Count);
    }

    [Fact]
    public async Task FlushAsync_StoreFailsTransiently_RetriesAndLosesNothing()
    {
        var (services, store) = Build();
        await using var _ = services;
        var run = await services.GetRequiredService<ExperimentTracker>().StartRunAsync("retry");
        store.FailuresToInject = 3;

        for (var i = 0; i < 1000; i++)
        {
            run.LogMetric("m", i, i);
        }

        run.LogParam("p", "v");
        await run.FlushAsync();

        Assert.Equal(1000, (await store.GetMetricSeriesAsync(run.Id, "m"))!.Count);
        Assert.Equal("v", (await store.GetRunAsync(run.Id))!.Params["p"]);
        Assert.True(store.Attempts >= 4);
    }

    [Fact]
    public async Task FlushAsync_Cancelled_ThrowsButLaterFlushWritesEverything()
    {
        var (services, store) = Build();
        await using var _ = services;
        var run = await services.GetRequiredService<ExperimentTracker>().StartRunAsync("cancel");
        store.Close();
        run.LogMetric("m", 1);

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.FlushAsync(cts.Token));

        store.Open();
        await run.FlushAsync();
        Assert.Equal(1, (await store.GetMetricSeriesAsync(run.Id, "m"))!.Count);
    }

    [Fact]
    public async Task FlushAsync_ConflictWrittenBeforeTheFlushWasAsked_IsStillThrownOnce()
    {
        var (services, store) = Build();
        await using var _ = services;
        var run = await services.GetRequiredService<ExperimentTracker>().StartRunAsync("conflict");
        var batch = new TrackingWriteBatch();
        batch.Params.Add(new RunValue(run.Id, "p", "stored"));
        await store.WriteAsync(batch);
        var before = store.Attempts;

        run.LogParam("p", "other");
        await WaitUntil(() => store.Attempts > before);

        await Assert.ThrowsAsync<MlOpsConflictException>(() => run.FlushAsync());
        await run.FlushAsync();
        Assert.Equal("stored", (await store.GetRunAsync(run.Id))!.Params["p"]);
    }

    [Fact]
    public async Task HostStop_FlushesWhatWasLogged()
    {
        var store = new GatedStore(TimeProvider.System);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMlOps(o => o.RootDirectory = Path.Combine(Path.GetTempPath(), "mlops-host-" + Guid.NewGuid().ToString("N"))).AddTracking();
        builder.Services.AddSingleton<TrackingStore>(store);
        builder.Services.AddSingleton<ArtifactStore>(new MlOps.Sdk.Testing.Artifacts.InMemoryArtifactStore(TimeProvider.System));
        using var host = builder.Build();
        await host.StartAsync();
        var run = await host.Services.GetRequiredService<ExperimentTracker>().StartRunAsync("host");
        for (var i = 0; i < 5000; i++)
        {
            run.LogMetric("m", i, i);
        }

        await host.StopAsync();

        Assert.Equal(5000, (await store.GetMetricSeriesAsync(run.Id, "m"))!.Count);
    }

    [Fact]
    public async Task PointsWritten_AreMeasured()
    {
        var (services, store) = Build();
        await using var _ = services;
        using var written = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "MlOps.Sdk.Tracking", "mlops.tracking.points.written");
        var run = await services.GetRequiredService<ExperimentTracker>().StartRunAsync("meter");

        for (var i = 0; i < 321; i++)
        {
            run.LogMetric("m", i);
        }

        await run.FlushAsync();

        Assert.Equal(321, written.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(321, (await store.GetMetricSeriesAsync(run.Id, "m"))!.Count);
    }

    [Fact]
    public async Task EndAsync_StoreUnavailable_StopsRenewingTheLease()
    {
        var (services, store) = Build(o => o.RunLease = TimeSpan.FromSeconds(3));
        await using var _ = services;
        var run = await services.GetRequiredService<ExperimentTracker>().StartRunAsync("end");
        store.Close();
        run.LogMetric("m", 1);

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.EndAsync(RunStatus.Finished, cts.Token));

        store.Open();
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Equal(RunStatus.Killed, (await store.GetRunAsync(run.Id))!.Info.Status);
    }

    [Fact]
    public async Task LogMetric_AfterServicesDisposed_ThrowsObjectDisposed()
    {
        var (services, _) = Build();
        var run = await services.GetRequiredService<ExperimentTracker>().StartRunAsync("disposed");
        run.LogMetric("m", 1);

        await services.DisposeAsync();

        Assert.Throws<ObjectDisposedException>(() => run.LogMetric("m", 2));
        Assert.Throws<ObjectDisposedException>(() => run.LogParam("p", "v"));
    }

    [Fact]
    public async Task AddTracking_WithoutStore_ExplainsWhatToAdd()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddTracking();
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<MlOpsException>(() => provider.GetRequiredService<ExperimentTracker>());

        Assert.Contains("UseSqlite()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTracking_InvalidOptions_FailValidation()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddTracking(o => o.QueueCapacity = 0).UseInMemoryStores();
        using var provider = services.BuildServiceProvider();

        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<ExperimentTracker>());
    }

    private static (ServiceProvider Services, GatedStore Store) Build(Action<TrackingOptions>? configure = null)
    {
        var store = new GatedStore(TimeProvider.System);
        var services = new ServiceCollection();
        services.AddMlOps().AddTracking(configure).UseInMemoryStores();
        services.AddSingleton<TrackingStore>(store);
        return (services.BuildServiceProvider(), store);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
