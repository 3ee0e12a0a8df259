using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;
using Xunit;
using VectorIn = MlOps.Sdk.Serving.Tests.ModelHostTests.VectorIn;
using VectorOut = MlOps.Sdk.Serving.Tests.ModelHostTests.VectorOut;

namespace MlOps.Sdk.Serving.Tests;

/// <summary>What a host does when the code around it misbehaves or the registry holds nothing it can serve.</summary>
public sealed class HostRobustnessTests : IAsyncLifetime
{
    private ServiceProvider _services = null!;

    private ModelRegistry Registry => _services.GetRequiredService<ModelRegistry>();

    private ModelHost<VectorIn, VectorOut> Adder => _services.GetRequiredKeyedService<ModelHost<VectorIn, VectorOut>>("adder");

    private ModelHost<MlpRow, MlpScore> Batched => _services.GetRequiredKeyedService<ModelHost<MlpRow, MlpScore>>("mlp");

    public Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.Configure<ServingOptions>(o => o.CallbackTimeout = TimeSpan.FromSeconds(1));
        services.AddMlOps()
            .AddModelRegistry()
            .AddModelHost<VectorIn, VectorOut>("adder", h => h.FollowAlias("production"))
            .AddModelHost<MlpRow, MlpScore>("mlp", h => h.FollowAlias("production").MicroBatching())
            .UseInMemoryStores();
        _services = services.BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task Swapped_SubscriberThatThrows_TheSwapSucceeds_AndTheHostReadsHealthy()
    {
        using var errors = Collect("mlops.serving.callback_errors");
        var failures = new List<ModelLoadFailure>();
        Adder.LoadFailed += (_, f) => failures.Add(f);
        Adder.Swapped += (_, _) => throw new InvalidOperationException("subscriber bug");
        var version = await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(1f, 4)));

        Assert.True(await Adder.SwapToAsync(version));

        Assert.Equal(version.Number, Adder.CurrentVersion!.Number);
        Assert.Empty(failures);
        Assert.Equal(HealthStatus.Healthy, await HealthAsync("adder"));
        var error = Assert.Single(errors.GetMeasurementSnapshot());
        Assert.Equal("Swapped", error.Tags["mlops.callback"]);
        Assert.Equal([2f, 2f, 2f, 2f], Adder.Predict(new VectorIn { X = [1, 1, 1, 1] }).Y!);
    }

    [Fact]
    public async Task Swapped_SubscriberThatHangs_HoldsUpNeitherTheSwapNorPredictions()
    {
        using var errors = Collect("mlops.serving.callback_errors");
        using var release = new ManualResetEventSlim();
        Adder.Swapped += (_, _) => release.Wait();
        var first = await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(1f, 4)));
        var second = await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(2f, 4)));
        try
        {
            Assert.True(await Adder.SwapToAsync(first).WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.Equal([2f, 2f, 2f, 2f], Adder.Predict(new VectorIn { X = [1, 1, 1, 1] }).Y!);
            Assert.True(await Adder.SwapToAsync(second).WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.Equal([3f, 3f, 3f, 3f], Adder.Predict(new VectorIn { X = [1, 1, 1, 1] }).Y!);
            Assert.Equal(2, errors.GetMeasurementSnapshot().Count(m => (string?)m.Tags["error.type"] == "timeout"));
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public async Task ConfigureSession_HookThatThrows_FailsTheLoadWithItsError_AndTheOldVersionServes()
    {
        var throwing = false;
        var services = new ServiceCollection();
        services.Configure<ServingOptions>(o => o.ConfigureSession = _ =>
        {
            if (throwing)
            {
                throw new InvalidOperationException("hook bug");
            }
        });
        services.AddMlOps().AddModelRegistry().AddModelHost<VectorIn, VectorOut>("adder", h => h.FollowAlias("production")).UseInMemoryStores();
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ModelRegistry>();
        var host = provider.GetRequiredService<ModelHost<VectorIn, VectorOut>>();
        Assert.True(await host.SwapToAsync(await registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(1f, 4)))));
        throwing = true;

        Assert.False(await host.SwapToAsync(await registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(2f, 4)))));

        Assert.Equal(1, host.CurrentVersion!.Number);
        Assert.Equal([2f, 2f, 2f, 2f], host.Predict(new VectorIn { X = [1, 1, 1, 1] }).Y!);
    }

    [Fact]
    public async Task PredictAsync_MicroBatched_CancelledWhileItWaits_Cancels_AndTheOthersAreServed()
    {
        Assert.True(await Batched.SwapToAsync(await Registry.RegisterModelAsync("mlp", new MemoryStream(OnnxModels.Mlp(10, [8])))));
        using var gate = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        using var observing = Batched.Observe(new Blocking(gate, entered), ObserverDelivery.Inline);
        var row = MlpRow.Random(new Random(1));

        // The first call runs at once on its own thread and stays in its batch until the gate opens.
        var first = Task.Run(() => Batched.PredictAsync(row).AsTask());
        Assert.True(entered.Wait(TimeSpan.FromSeconds(20)));
        using var cancel = new CancellationTokenSource();
        var waiting = Batched.PredictAsync(row, cancel.Token).AsTask();
        var other = Batched.PredictAsync(row).AsTask();
        Assert.False(waiting.IsCompleted);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.False(first.IsCompleted);
        gate.Set();
        var expected = Batched.Predict(row).Score;
        Assert.Equal(expected, (await first.WaitAsync(TimeSpan.FromSeconds(20))).Score);
        Assert.Equal(expected, (await other.WaitAsync(TimeSpan.FromSeconds(20))).Score);
    }

    [Fact]
    public async Task Predict_FreshHostWhoseAliasPointsToMissingContent_ThrowsATypedErrorNamingTheCause()
    {
        var version = await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(1f, 4)));
        await Registry.SetAliasAsync("adder", "production", version.Number);
        await _services.GetRequiredService<ArtifactStore>().DeleteAsync(version.Digest!.Value);

        await Adder.StartAsync();

        var error = Assert.Throws<ModelNotLoadedException>(() => Adder.Predict(new VectorIn { X = [1, 1, 1, 1] }));
        Assert.Contains("adder/1 failed at load", error.Message, StringComparison.Ordinal);
        Assert.IsType<MlOpsNotFoundException>(error.InnerException);
        Assert.Equal(HealthStatus.Unhealthy, await HealthAsync("adder"));
    }

    [Fact]
    public async Task StartAsync_RequireVersionAtStart_WithNoAlias_ThrowsTheCause()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry()
            .AddModelHost<VectorIn, VectorOut>("adder", h =>
            {
                h.FollowAlias("production");
                h.RequireVersionAtStart = true;
            })
            .UseInMemoryStores();
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<ModelRegistry>().RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(1f, 4)));
        var host = provider.GetRequiredService<ModelHost<VectorIn, VectorOut>>();

        var error = await Assert.ThrowsAsync<ModelNotLoadedException>(() => host.StartAsync());

        Assert.Contains("alias 'production' of model 'adder'", error.Message, StringComparison.Ordinal);
        Assert.Equal("adder", error.Model);
    }

    [Fact]
    public async Task AQueuedObserverThatHangs_NeverHoldsUpAPrediction_AndItsDropsAreCounted()
    {
        using var dropped = Collect("mlops.serving.observer.dropped");
        using var release = new ManualResetEventSlim();
        Assert.True(await Adder.SwapToAsync(await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(1f, 4)))));
        var hanging = new Hanging(release);
        using (Adder.Observe(hanging))
        {
            Adder.Predict(new VectorIn { X = [1, 1, 1, 1] });
            Assert.True(hanging.Entered.Wait(TimeSpan.FromSeconds(20)));

            for (var i = 0; i < 20_000; i++)
            {
                Assert.Equal(2f, Adder.Predict(new VectorIn { X = [1, 1, 1, 1] }).Y![0]);
            }

            // The observer hangs on the first prediction; the queue holds ServingOptions.ObserverQueueCapacity more.
            Assert.Equal(20_000 - new ServingOptions().ObserverQueueCapacity, dropped.GetMeasurementSnapshot().EvaluateAsCounter());
            release.Set();
        }
    }


    private MetricCollector<long> Collect(string instrument) =>
        new(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "MlOps.Sdk.Serving", instrument);

    private async Task<HealthStatus> HealthAsync(string name) =>
        (await _services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == $"mlops-model-{name}")).Status;

    private sealed class Blocking(ManualResetEventSlim gate, ManualResetEventSlim entered) : IPredictionObserver<MlpRow, MlpScore>
    {
        private int _calls;

        public void OnPrediction(MlpRow input, MlpScore output, ModelVersion version)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                entered.Set();
                gate.Wait();
            }
        }
    }

    private sealed class Hanging(ManualResetEventSlim release) : IPredictionObserver<VectorIn, VectorOut>
    {
        public ManualResetEventSlim Entered { get; } = new();

        public void OnPrediction(VectorIn input, VectorOut output, ModelVersion version)
        {
            Entered.Set();
            release.Wait();
        }
    }
}
