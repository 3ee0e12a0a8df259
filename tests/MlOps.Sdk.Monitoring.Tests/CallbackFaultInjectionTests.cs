using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;
using Xunit;
using Flaky = MlOps.Sdk.Monitoring.Tests.MonitoringRobustnessTests.Flaky;
using Score = MlOps.Sdk.Monitoring.Tests.HostMonitoringTests.Score;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>
/// Every place the SDK calls code it did not write, made to throw and made to hang, while four threads predict through a
/// monitored host and the alias moves between a good version, another good one and one that cannot load: no prediction
/// fails and none is held up. The row type's getter is one of them: it is read for monitoring only (the model's input
/// mapping reads its own properties, which a getter that hangs would hold up with or without monitoring).
/// </summary>
[Trait("Category", "Fault")]
public sealed class CallbackFaultInjectionTests
{
    public static TheoryData<string, bool> Boundaries()
    {
        var data = new TheoryData<string, bool>();
        foreach (var boundary in new[] { "Observer", "Swapped", "LoadFailed", "AliasMoved", "WindowClosed", "AlertChanged", "RetrainHook", "ConfigureSession", "FeatureGetter" })
        {
            data.Add(boundary, false);
            data.Add(boundary, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Boundaries))]
    public async Task ACallbackThatThrowsOrHangs_FailsNoPrediction_AndHoldsUpNone(string boundary, bool hangs)
    {
        using var release = new ManualResetEventSlim();
        var fault = new Fault(hangs, release);
        var armed = false;
        var services = new ServiceCollection();
        // Long enough for the thread pool to start a callback while other tests load it, short enough to test hangs.
        var timeout = TimeSpan.FromSeconds(1);
        services.Configure<ServingOptions>(o =>
        {
            o.CallbackTimeout = timeout;
            if (boundary == "ConfigureSession")
            {
                o.ConfigureSession = _ =>
                {
                    if (Volatile.Read(ref armed))
                    {
                        fault.Invoke();
                    }
                };
            }
        });
        if (boundary == "RetrainHook")
        {
            services.AddSingleton<IRetrainHook<Flaky>>(new FaultyHook(fault));
        }

        services.AddMlOps().AddTracking()
            .AddModelRegistry(r => r.CallbackTimeout = timeout)
            .AddModelHost<Flaky, Score>("mlp", h =>
            {
                h.FollowAlias("production");
                h.PollInterval = TimeSpan.FromMilliseconds(50);
            })
            .AddMonitoring<Flaky, Score>("mlp", m =>
            {
                m.Drift.WindowSize = 100;
                m.Alerts.Cooldown = TimeSpan.Zero;
                m.RetrainStopTimeout = timeout;
                m.CallbackTimeout = timeout;
                m.AlertWhen(AlertRule.Drift());
            })
            .UseInMemoryStores();
        var provider = services.BuildServiceProvider();
        try
        {
            var registry = provider.GetRequiredService<ModelRegistry>();
            var random = new Random(17);
            var first = await TrainedVersionAsync(provider, random);
            await registry.SetAliasAsync("mlp", "production", first.Number);
            await MonitoredMlp.StartAsync(provider);

            using var rowsFailed = new MetricCollector<long>(
                provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "MlOps.Sdk.Monitoring", "mlops.monitoring.rows_failed");
            var host = provider.GetRequiredService<ModelHost<Flaky, Score>>();
            var monitor = provider.GetRequiredKeyedService<ModelMonitor<Flaky, Score>>("mlp");
            using var observing = boundary == "Observer" ? host.Observe(new FaultyObserver(fault)) : null;
            host.Swapped += (_, _) => Raise("Swapped");
            host.LoadFailed += (_, _) => Raise("LoadFailed");
            registry.AliasMoved += (_, _) => Raise("AliasMoved");
            monitor.WindowClosed += (_, _) => Raise("WindowClosed");
            monitor.Alerts.Changed += (_, _) => Raise("AlertChanged");
            Volatile.Write(ref armed, true);

            // Four callers predict shifted rows (windows close, alerts fire) until the alias has moved three times.
            var stop = false;
            var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
            var served = new long[4];
            var callers = Enumerable.Range(0, 4).Select(c => Task.Factory.StartNew(
                () =>
                {
                    var rows = new Random(c);
                    for (var i = 0; !Volatile.Read(ref stop) || i < 300; i++)
                    {
                        try
                        {
                            host.Predict(Flaky.Random(rows, shift: 0.6, onRead: boundary == "FeatureGetter" && i % 50 == 7 ? fault.Invoke : null));
                            served[c]++;
                        }
                        catch (Exception e)
                        {
                            errors.Enqueue(e);
                        }
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)).ToArray();

            var second = await TrainedVersionAsync(provider, random);
            var broken = await registry.RegisterModelAsync("mlp", new MemoryStream(OnnxModels.Identity(OnnxModels.Int64, ["batch", 10])));
            foreach (var target in new[] { second, broken, first })
            {
                await registry.SetAliasAsync("mlp", "production", target.Number).WaitAsync(TimeSpan.FromSeconds(10));
                await Task.Delay(TimeSpan.FromMilliseconds(400));
            }

            Volatile.Write(ref stop, true);
            await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Empty(errors);
            Assert.All(served, s => Assert.True(s >= 300, $"a caller served only {s} predictions"));
            Assert.True(fault.Calls > 0, $"the {boundary} callback was never called: the test exercised nothing");
            if (boundary == "FeatureGetter" && !hangs)
            {
                Assert.True(rowsFailed.GetMeasurementSnapshot().EvaluateAsCounter() > 0);
            }

            // Swaps and monitoring went on: the host and its monitor follow the alias back to the first version, and the
            // second loaded on the way unless the faulty session hook was what refused it.
            Assert.True(SpinWait.SpinUntil(() => host.CurrentVersion?.Number == first.Number && monitor.ReferenceVersion?.Number == first.Number, TimeSpan.FromSeconds(20)),
                $"host serves {host.CurrentVersion?.Reference}, monitor follows {monitor.ReferenceVersion?.Reference}; expected {first.Reference}");
            var secondDeployed = (await registry.ListDeploymentsAsync("mlp", second.Number)).Count > 0;
            Assert.Equal(boundary != "ConfigureSession", secondDeployed);
        }
        finally
        {
            release.Set();
            await provider.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        }

        void Raise(string at)
        {
            if (at == boundary)
            {
                fault.Invoke();
            }
        }
    }

    private static Task<ModelVersion> TrainedVersionAsync(IServiceProvider provider, Random random) =>
        MonitoredMlp.RegisterTrainedAsync(provider, Enumerable.Range(0, 300).Select(_ => Flaky.Random(random)), seed: random.Next());

    /// <summary>What the injected code does: throw, or block until the test ends.</summary>
    private sealed class Fault(bool hangs, ManualResetEventSlim release)
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void Invoke()
        {
            Interlocked.Increment(ref _calls);
            if (hangs)
            {
                release.Wait();
                return;
            }

            throw new InvalidOperationException("injected fault");
        }
    }

    private sealed class FaultyObserver(Fault fault) : IPredictionObserver<Flaky, Score>
    {
        public void OnPrediction(Flaky input, Score output, ModelVersion version) => fault.Invoke();
    }

    private sealed class FaultyHook(Fault fault) : IRetrainHook<Flaky>
    {
        public Task RetrainAsync(RetrainRequest<Flaky> request, CancellationToken cancellationToken)
        {
            fault.Invoke();
            return Task.CompletedTask;
        }
    }
}
