using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using Xunit;
using Score = MlOps.Sdk.Monitoring.Tests.HostMonitoringTests.Score;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>A monitored host whose row type, hooks and container misbehave: predictions go on, monitoring goes on.</summary>
public sealed class MonitoringRobustnessTests
{
    [Fact]
    public async Task AGetterThatThrowsOnOneRowInAThousand_EightThreadsFiveWindows_EveryPredictionReturns_EveryWindowCloses()
    {
        await using var provider = Provider(services => services.AddMlOps().AddTracking().AddModelRegistry()
            .AddModelHost<Flaky, Score>("mlp", h => h.FollowAlias("production"))
            .AddMonitoring<Flaky, Score>("mlp", m => m.Drift.WindowSize = 500)
            .UseInMemoryStores());
        using var failed = new MetricCollector<long>(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "MlOps.Sdk.Monitoring", "mlops.monitoring.rows_failed");
        await DeployTrainedAsync(provider, new Random(3));
        await MonitoredMlp.StartAsync(provider);
        var host = provider.GetRequiredService<ModelHost<Flaky, Score>>();
        var monitor = provider.GetRequiredKeyedService<ModelMonitor<Flaky, Score>>("mlp");
        using var closed = new SemaphoreSlim(0);
        monitor.WindowClosed += (_, _) => closed.Release();
        var next = -1;

        // 8 threads × 320 predictions: rows 999 and 1999 cannot be read, 2,558 are captured, 5 windows of 500 close.
        var threads = Enumerable.Range(0, 8).Select(t => Task.Factory.StartNew(
            () =>
            {
                var random = new Random(t);
                var served = 0;
                for (var i = 0; i < 320; i++)
                {
                    var row = Flaky.Random(random, broken: Interlocked.Increment(ref next) % 1000 == 999);
                    Assert.True(float.IsFinite(host.Predict(row).Value));
                    served++;
                }

                return served;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();

        Assert.Equal(2560, (await Task.WhenAll(threads).WaitAsync(TimeSpan.FromSeconds(60))).Sum());
        for (var window = 0; window < 5; window++)
        {
            Assert.True(await closed.WaitAsync(TimeSpan.FromSeconds(30)), $"window {window + 1} did not close");
        }

        Assert.True(SpinWait.SpinUntil(() => monitor.Drift!.Captured == 2558, TimeSpan.FromSeconds(30)), $"{monitor.Drift!.Captured} rows captured");
        Assert.Equal(2, monitor.Drift.FailedRows);
        Assert.Equal(2, failed.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(500, monitor.LastReport!.Rows);
    }

    [Fact]
    public async Task ARetrainHookThatThrows_IsCounted_AndTheMonitorFollowsTheNextVersion()
    {
        var hook = new ThrowingHook();
        await using var provider = Provider(services =>
        {
            services.AddSingleton<IRetrainHook<Flaky>>(hook);
            services.AddMlOps().AddTracking().AddModelRegistry()
                .AddModelHost<Flaky, Score>("mlp", h => h.FollowAlias("production"))
                .AddMonitoring<Flaky, Score>("mlp", m =>
                {
                    m.Drift.WindowSize = 200;
                    m.AlertWhen(AlertRule.Drift());
                })
                .UseInMemoryStores();
        });
        using var errors = new MetricCollector<long>(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "MlOps.Sdk.Monitoring", "mlops.monitoring.callback_errors");
        var random = new Random(5);
        var first = await DeployTrainedAsync(provider, random);
        await MonitoredMlp.StartAsync(provider);
        var host = provider.GetRequiredService<ModelHost<Flaky, Score>>();
        var monitor = provider.GetRequiredKeyedService<ModelMonitor<Flaky, Score>>("mlp");
        for (var i = 0; i < 200; i++)
        {
            host.Predict(Flaky.Random(random, shift: 0.6));
        }

        await hook.Called.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(SpinWait.SpinUntil(() => errors.GetMeasurementSnapshot().Any(m => (string?)m.Tags["mlops.callback"] == "RetrainHook"), TimeSpan.FromSeconds(30)));

        var second = await DeployTrainedAsync(provider, random);

        Assert.True(
            SpinWait.SpinUntil(() => monitor.ReferenceVersion?.Number == second.Number, TimeSpan.FromSeconds(30)),
            $"the monitor still follows {monitor.ReferenceVersion?.Reference} instead of {second.Reference} (first was {first.Reference})");
    }

    [Fact]
    public async Task SynchronousDispose_OfAProviderWithEveryLayer_ReturnsPromptly_AndLeavesNothingFollowing()
    {
        var root = Directory.CreateTempSubdirectory("mlops-sync-dispose-").FullName;
        try
        {
            var provider = Provider(services => services.AddMlOps(o => o.RootDirectory = root)
                .AddTracking().AddDatasets().AddModelRegistry()
                .AddModelHost<Flaky, Score>("mlp", h =>
                {
                    h.FollowAlias("production");
                    h.PollInterval = TimeSpan.FromMilliseconds(50);
                })
                .AddMonitoring<Flaky, Score>("mlp", m =>
                {
                    m.Drift.WindowSize = 100;
                    m.CheckpointInterval = TimeSpan.FromMilliseconds(50);
                })
                .UseSqlite());
            var random = new Random(11);
            await DeployTrainedAsync(provider, random);
            await MonitoredMlp.StartAsync(provider);
            var host = provider.GetRequiredService<ModelHost<Flaky, Score>>();
            var run = await provider.GetRequiredService<ExperimentTracker>().StartRunAsync("open");
            for (var i = 0; i < 250; i++)
            {
                host.Predict(Flaky.Random(random));
                run.LogMetric("m", i, i);
            }

            var stopwatch = Stopwatch.StartNew();
            provider.Dispose();
            stopwatch.Stop();

            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"Dispose took {stopwatch.Elapsed}");
            Assert.Throws<ModelNotLoadedException>(() => host.Predict(Flaky.Random(random)));
            Assert.Throws<ObjectDisposedException>(() => run.LogMetric("m", 1, 1));

            // Another process moves the alias: a disposed host that still followed would load the version and record it.
            var other = new ServiceCollection();
            other.AddMlOps(o => o.RootDirectory = root).AddTracking().AddModelRegistry().UseSqlite();
            await using var second = other.BuildServiceProvider();
            var registry = second.GetRequiredService<ModelRegistry>();
            var next = await registry.RegisterModelAsync("mlp", new MemoryStream(OnnxModels.Mlp(10, [8])));
            await registry.SetAliasAsync("mlp", "production", next.Number);
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Empty(await registry.ListDeploymentsAsync("mlp", next.Number));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task AFirstStart_LogsThatItMonitors_AndNotThatItContinuedAWindow()
    {
        var root = Directory.CreateTempSubdirectory("mlops-first-start-").FullName;
        try
        {
            await using var provider = Provider(services =>
            {
                services.AddLogging(logging => logging.AddFakeLogging());
                services.AddMlOps(o => o.RootDirectory = root).AddTracking().AddModelRegistry()
                    .AddModelHost<Flaky, Score>("mlp", h => h.FollowAlias("production"))
                    .AddMonitoring<Flaky, Score>("mlp")
                    .UseSqlite();
            });
            await DeployTrainedAsync(provider, new Random(2));

            await MonitoredMlp.StartAsync(provider);

            var logs = provider.GetRequiredService<Microsoft.Extensions.Logging.Testing.FakeLogCollector>().GetSnapshot();
            Assert.Contains(logs, r => r.Id.Id == 5101);
            Assert.DoesNotContain(logs, r => r.Id.Id == 5103);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    private static ServiceProvider Provider(Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        configure(services);
        return services.BuildServiceProvider();
    }

    /// <summary>Registers a trained version and moves <c>production</c> to it.</summary>
    private static async Task<ModelVersion> DeployTrainedAsync(IServiceProvider provider, Random random)
    {
        var version = await MonitoredMlp.RegisterTrainedAsync(provider, Enumerable.Range(0, 400).Select(_ => Flaky.Random(random)));
        await provider.GetRequiredService<ModelRegistry>().SetAliasAsync("mlp", "production", version.Number);
        return version;
    }

    /// <summary>The MLP's input, with one feature only the monitor reads: its getter runs <see cref="OnRead"/> first.</summary>
    public sealed class Flaky
    {
        [ModelInput("X")]
        public float[] Values { get; set; } = [];

        public double Amount
        {
            get
            {
                OnRead?.Invoke();
                return Values[0] * 100;
            }
        }

        /// <summary>What the getter does before it answers: nothing, or throw, or hang.</summary>
        internal Action? OnRead { get; init; }

        public static Flaky Random(Random random, double shift = 0, bool broken = false, Action? onRead = null) =>
            new()
            {
                Values = [.. Enumerable.Range(0, 10).Select(_ => (float)(random.NextDouble() + shift))],
                OnRead = broken ? static () => throw new InvalidOperationException("getter bug") : onRead,
            };
    }

    private sealed class ThrowingHook : IRetrainHook<Flaky>
    {
        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task RetrainAsync(RetrainRequest<Flaky> request, CancellationToken cancellationToken)
        {
            Called.TrySetResult();
            throw new InvalidOperationException("retraining bug");
        }
    }
}
