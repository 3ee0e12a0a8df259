using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Serving.Tests;

public sealed class MicroBatchingTests : IAsyncLifetime
{
    private ServiceProvider _services = null!;

    private ModelHost<MlpRow, MlpScore> Batched => _services.GetRequiredKeyedService<ModelHost<MlpRow, MlpScore>>("mlp");

    private ModelHost<MlpRow, MlpScore> Plain => _services.GetRequiredKeyedService<ModelHost<MlpRow, MlpScore>>("mlp-plain");

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry()
            .AddModelHost<MlpRow, MlpScore>("mlp", h => h.PinVersion(1).MicroBatching(b => b.MaxBatchSize = 8))
            .AddModelHost<MlpRow, MlpScore>("mlp-plain", h => h.PinVersion(1))
            .UseInMemoryStores();
        _services = services.BuildServiceProvider();
        var registry = _services.GetRequiredService<ModelRegistry>();
        Assert.True(await Batched.SwapToAsync(await registry.RegisterModelAsync("mlp", new MemoryStream(OnnxModels.Mlp(10, [32, 16])))));
        Assert.True(await Plain.SwapToAsync(await registry.RegisterModelAsync("mlp-plain", new MemoryStream(OnnxModels.Mlp(10, [32, 16])))));
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public void ConcurrentCalls_AreCoalesced_AndEachGetsItsOwnResult()
    {
        // Whether calls meet in a batch depends on how the threads are scheduled: on a loaded machine a round can pass
        // without one, so rounds repeat (every one checked in full) until batches have formed.
        var coalesced = false;
        for (var round = 0; round < 10 && !coalesced; round++)
        {
            coalesced = RunRound(new Random(5 + round));
        }

        Assert.True(coalesced, "No two concurrent calls met in a batch in 10 rounds.");

        bool RunRound(Random random)
        {
            using var batchSizes = new MetricCollector<int>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "MlOps.Sdk.Serving", "mlops.serving.batch_size");
            var rows = Enumerable.Range(0, 16).Select(_ => Enumerable.Range(0, 100).Select(_ => MlpRow.Random(random)).ToArray()).ToArray();
            var observed = new System.Collections.Concurrent.ConcurrentBag<float>();
            using var observing = Batched.Observe(new Recording(observed));

            // Dedicated threads: the test runner leaves the thread pool too few workers for callers to meet in it.
            var results = rows.Select(caller => new float[caller.Length]).ToArray();
            using var start = new ManualResetEventSlim();
            var threads = rows.Select((caller, c) => new Thread(() =>
            {
                start.Wait();
                for (var i = 0; i < caller.Length; i++)
                {
                    results[c][i] = Batched.PredictAsync(caller[i]).AsTask().GetAwaiter().GetResult().Score;
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            start.Set();
            threads.ForEach(t => t.Join());

            for (var c = 0; c < rows.Length; c++)
            {
                for (var i = 0; i < rows[c].Length; i++)
                {
                    Assert.Equal(Plain.Predict(rows[c][i]).Score, results[c][i], 1e-6f);
                }
            }

            // Observers get their predictions on their own queue: every one arrives, shortly after.
            Assert.True(SpinWait.SpinUntil(() => observed.Count == 1600, TimeSpan.FromSeconds(30)), $"{observed.Count} of 1600 observed");
            var sizes = batchSizes.GetMeasurementSnapshot().Select(m => m.Value).ToList();
            Assert.Equal(1600, sizes.Sum());
            Assert.All(sizes, s => Assert.InRange(s, 1, 8));
            return sizes.Any(s => s > 1);
        }
    }

    [Fact]
    public async Task ALoneCaller_IsNeverDelayed_ItsCallCompletesBeforeReturning()
    {
        using var batchSizes = new MetricCollector<int>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "MlOps.Sdk.Serving", "mlops.serving.batch_size");
        var random = new Random(6);

        for (var i = 0; i < 200; i++)
        {
            var row = MlpRow.Random(random);
            var call = Batched.PredictAsync(row);

            Assert.True(call.IsCompletedSuccessfully);
            Assert.Equal(Plain.Predict(row).Score, (await call).Score, 1e-6f);
        }

        Assert.All(batchSizes.GetMeasurementSnapshot(), m => Assert.Equal(1, m.Value));
    }

    [Fact]
    public void ABadInput_FailsOnlyItsOwnCall_NotTheCallsBatchedWithIt()
    {
        using var batchSizes = new MetricCollector<int>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "MlOps.Sdk.Serving", "mlops.serving.batch_size");

        // Whether calls meet in a batch depends on how the threads are scheduled: on a loaded machine a round can pass
        // without one, so rounds repeat (every one checked) until batches have formed.
        for (var round = 0; round < 10 && !batchSizes.GetMeasurementSnapshot().Any(m => m.Value > 1); round++)
        {
            RunRound();
        }

        Assert.Contains(batchSizes.GetMeasurementSnapshot(), m => m.Value > 1);

        void RunRound()
        {
            var outcomes = new object[8, 200];
            using var start = new ManualResetEventSlim();
            var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
            {
                start.Wait();
                for (var i = 0; i < 200; i++)
                {
                    try
                    {
                        var row = i % 10 == 3 ? new MlpRow { Features = [1, 2] } : MlpRow.Random(new Random((t * 1000) + i));
                        outcomes[t, i] = Batched.PredictAsync(row).AsTask().GetAwaiter().GetResult().Score;
                    }
                    catch (Exception e)
                    {
                        outcomes[t, i] = e;
                    }
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            start.Set();
            threads.ForEach(t => t.Join());

            for (var t = 0; t < 8; t++)
            {
                for (var i = 0; i < 200; i++)
                {
                    if (i % 10 == 3)
                    {
                        Assert.Equal("X", Assert.IsType<ModelInputException>(outcomes[t, i]).Input);
                    }
                    else
                    {
                        Assert.Equal(Plain.Predict(MlpRow.Random(new Random((t * 1000) + i))).Score, Assert.IsType<float>(outcomes[t, i]), 1e-6f);
                    }
                }
            }
        }
    }

    private sealed class Recording(System.Collections.Concurrent.ConcurrentBag<float> scores) : IPredictionObserver<MlpRow, MlpScore>
    {
        public void OnPrediction(MlpRow input, MlpScore output, Versioning.ModelVersion version) => scores.Add(output.Score);
    }
}
