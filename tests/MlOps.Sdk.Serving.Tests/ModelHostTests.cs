using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.ML;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Testing.Artifacts;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Serving.Tests;

public sealed class ModelHostTests(MlNetModelFixture mlNet) : IClassFixture<MlNetModelFixture>, IAsyncLifetime
{
    private ServiceProvider _services = null!;

    private ModelRegistry Registry => _services.GetRequiredService<ModelRegistry>();

    public Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddMlOps()
            .AddModelRegistry()
            .AddModelHost<VectorIn, VectorOut>("adder", h => h.FollowAlias("production"))
            .AddModelHost<MlNetModelFixture.Row, Score>("fraud", h => h.FollowAlias("production"))
            .AddModelHost<ExpandIn, VectorOut>("expand", h => h.FollowAlias("production"))
            .AddModelHost<VectorIn, VectorOut>("checked", h => h.FollowAlias("production").WarmUpWith(new VectorIn { X = [1] }))
            .UseInMemoryStores();
        _services = services.BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task Predict_MlNetExport_MatchesMlNetsOwnPredictions()
    {
        var version = await Registry.RegisterModelAsync("fraud", new MemoryStream(mlNet.Bytes));
        var host = _services.GetRequiredKeyedService<ModelHost<MlNetModelFixture.Row, Score>>("fraud");
        Assert.True(await host.SwapToAsync(version));
        var engine = mlNet.Context.Model.CreatePredictionEngine<MlNetModelFixture.Row, MlNetPrediction>(mlNet.Model);
        var random = new Random(3);

        for (var i = 0; i < 200; i++)
        {
            var row = new MlNetModelFixture.Row { A = (float)random.NextDouble(), B = (float)random.NextDouble(), C = (float)random.NextDouble(), D = (float)random.NextDouble() };
            var expected = engine.Predict(row);

            var actual = host.Predict(row);

            Assert.InRange(Math.Abs(expected.Probability - actual.Probability), 0, 1e-5);
            Assert.InRange(Math.Abs(expected.Score - actual.ScoreValue), 0, 1e-4);
            Assert.Equal(expected.PredictedLabel, actual.PredictedLabel);
        }
    }

    [Fact]
    public async Task PredictBatch_GivesWhatSingleCallsGive()
    {
        var version = await Registry.RegisterModelAsync("fraud", new MemoryStream(mlNet.Bytes));
        var host = _services.GetRequiredKeyedService<ModelHost<MlNetModelFixture.Row, Score>>("fraud");
        Assert.True(await host.SwapToAsync(version));
        var random = new Random(9);
        var rows = Enumerable.Range(0, 64).Select(_ => new MlNetModelFixture.Row { A = (float)random.NextDouble(), B = (float)random.NextDouble(), C = (float)random.NextDouble(), D = (float)random.NextDouble() }).ToArray();

        var batch = host.Predict(rows.AsSpan());

        Assert.Equal(rows.Length, batch.Count);
        for (var i = 0; i < rows.Length; i++)
        {
            var single = host.Predict(rows[i]);
            Assert.Equal(single.Probability, batch[i].Probability, 1e-6f);
            Assert.Equal(single.PredictedLabel, batch[i].PredictedLabel);
        }

        Assert.Empty(host.Predict(ReadOnlySpan<MlNetModelFixture.Row>.Empty));
    }

    [Fact]
    public async Task PredictBatch_OfVectors_KeepsRowsApart_AndNamesABadItem()
    {
        var host = await StartAdderAsync(1f);
        VectorIn[] items = [new() { X = [1, 2, 3, 4] }, new() { X = [10, 20, 30, 40] }, new() { X = [0, 0, 0, 0] }];

        var results = host.Predict(items.AsSpan());

        Assert.Equal([2f, 3f, 4f, 5f], results[0].Y!);
        Assert.Equal([11f, 21f, 31f, 41f], results[1].Y!);
        Assert.Equal([1f, 1f, 1f, 1f], results[2].Y!);
        var error = Assert.Throws<ModelInputException>(() => host.Predict(new VectorIn[] { new() { X = [1, 2, 3, 4] }, new() { X = [1] } }.AsSpan()));
        Assert.Contains("item 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictBatch_RunContextsPerSize_StayRight_AcrossMoreSizesThanKept_AndAfterABadItem()
    {
        var host = await StartAdderAsync(1f);

        // Sizes 2-13 are more than the codec keeps bound contexts for: the first sizes reuse theirs, the rest allocate.
        for (var round = 0; round < 3; round++)
        {
            for (var size = 2; size <= 13; size++)
            {
                var items = Enumerable.Range(0, size).Select(i => new VectorIn { X = [i, round, size, -i] }).ToArray();

                var results = host.Predict(items.AsSpan());

                for (var i = 0; i < size; i++)
                {
                    Assert.Equal(items[i].X!.Select(v => v + 1f), results[i].Y!);
                }
            }
        }

        var error = Assert.Throws<ModelInputException>(() => host.Predict(new VectorIn[] { new() { X = [1, 2, 3, 4] }, new() { X = null } }.AsSpan()));
        Assert.Contains("item 1", error.Message, StringComparison.Ordinal);
        var after = host.Predict(new VectorIn[] { new() { X = [2, 2, 2, 2] }, new() { X = [5, 5, 5, 5] } }.AsSpan());
        Assert.Equal([3f, 3f, 3f, 3f], after[0].Y!);
        Assert.Equal([6f, 6f, 6f, 6f], after[1].Y!);
    }

    [Fact]
    public async Task Predict_WrongLengthOrMissingValue_ThrowsATypedErrorNamingTheInput_AndTheHostKeepsServing()
    {
        var host = await StartAdderAsync(1f);

        var tooShort = Assert.Throws<ModelInputException>(() => host.Predict(new VectorIn { X = [1, 2] }));
        var missing = Assert.Throws<ModelInputException>(() => host.Predict(new VectorIn { X = null }));

        Assert.Equal("X", tooShort.Input);
        Assert.Contains("4", tooShort.Message, StringComparison.Ordinal);
        Assert.Equal("X", missing.Input);
        Assert.Equal([2f, 3f, 4f, 5f], host.Predict(new VectorIn { X = [1, 2, 3, 4] }).Y!);
    }

    [Fact]
    public async Task SwapToAsync_IncompatibleSignature_KeepsTheOldVersionServing_AndTheNextGoodVersionIsTaken()
    {
        var host = await StartAdderAsync(1f);
        var failures = new List<ModelLoadFailure>();
        host.LoadFailed += (_, f) => failures.Add(f);
        var incompatible = await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.Identity(OnnxModels.Int64, ["batch", 4])));

        Assert.False(await host.SwapToAsync(incompatible));

        Assert.Equal("verify", Assert.Single(failures).Stage);
        Assert.IsType<ModelMappingException>(failures[0].Error);
        Assert.Equal(1, host.CurrentVersion!.Number);
        Assert.Equal([2f, 2f, 2f, 2f], host.Predict(new VectorIn { X = [1, 1, 1, 1] }).Y!);

        var good = await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(5f, 4)));
        Assert.True(await host.SwapToAsync(good));
        Assert.Equal([6f, 6f, 6f, 6f], host.Predict(new VectorIn { X = [1, 1, 1, 1] }).Y!);
    }

    [Fact]
    public async Task SwapToAsync_CorruptContent_KeepsTheOldVersionServing()
    {
        var host = await StartAdderAsync(1f);
        var next = await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(9f, 4)));
        ((InMemoryArtifactStore)_services.GetRequiredService<ArtifactStore>()).Corrupt(next.Digest!.Value, bytes =>
        {
            var copy = bytes.ToArray();
            copy[^3] ^= 0x40;
            return copy;
        });
        ModelLoadFailure? failure = null;
        host.LoadFailed += (_, f) => failure = f;

        Assert.False(await host.SwapToAsync(next));

        Assert.Equal("load", failure!.Stage);
        Assert.IsType<ArtifactIntegrityException>(failure.Error);
        Assert.Equal([2f, 2f, 2f, 2f], host.Predict(new VectorIn { X = [1, 1, 1, 1] }).Y!);
    }

    [Fact]
    public async Task Swap_IsRecordedAsADeployment_InTheModelsLineage()
    {
        var host = await StartAdderAsync(1f);

        var deployment = Assert.Single(await Registry.ListDeploymentsAsync("adder", 1));

        Assert.Equal((ModelDeployment.CurrentInstance, ModelHostOptions.PrimaryVariant, host.CurrentVersion!.Digest), (deployment.Instance, deployment.Variant, (ContentDigest?)deployment.Digest));
        var graph = await _services.GetRequiredService<ILineage>().ForModelVersionAsync("adder", 1);
        Assert.Contains(graph.Edges, e => e.Relation == "deployed on" && e.To.Contains(ModelDeployment.CurrentInstance, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SwapToAsync_ModelThatFailsOnTheWarmUpSample_KeepsTheOldVersionServing_AndTheNextGoodVersionIsTaken()
    {
        var host = _services.GetRequiredKeyedService<ModelHost<VectorIn, VectorOut>>("checked");
        Assert.True(await host.SwapToAsync(await Registry.RegisterModelAsync("checked", new MemoryStream(OnnxModels.AddConstant(1f, 1)))));
        var failing = await Registry.RegisterModelAsync("checked", new MemoryStream(OnnxModels.FailsOnRun()));
        ModelLoadFailure? failure = null;
        host.LoadFailed += (_, f) => failure = f;

        Assert.False(await host.SwapToAsync(failing));

        Assert.Equal("warm-up", failure!.Stage);
        Assert.IsType<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(failure.Error);
        Assert.Equal(1, host.CurrentVersion!.Number);
        Assert.Equal([2f], host.Predict(new VectorIn { X = [1] }).Y!);
        var good = await Registry.RegisterModelAsync("checked", new MemoryStream(OnnxModels.AddConstant(3f, 1)));
        Assert.True(await host.SwapToAsync(good));
        Assert.Equal([4f], host.Predict(new VectorIn { X = [1] }).Y!);
    }

    [Fact]
    public async Task ModelThatFailsOnSyntheticZeros_IsNotRefused_ServesRealInputs_AndTheFailureIsCounted()
    {
        using var collector = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "MlOps.Sdk.Serving", "mlops.serving.warmup_failures");
        var host = _services.GetRequiredKeyedService<ModelHost<ExpandIn, VectorOut>>("expand");
        var version = await Registry.RegisterModelAsync("expand", new MemoryStream(OnnxModels.ExpandTo(4)));

        Assert.True(await host.SwapToAsync(version));

        Assert.Equal([1f, 2f, 3f, 4f], host.Predict(new ExpandIn { X = [1, 2, 3, 4], S = [1, 4] }).Y!);
        Assert.Equal(1, collector.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task WarmUpOff_RunsNothingBeforeTraffic_AndAWarmUpSampleOfAnotherType_IsRefusedNamingTheTypes()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().UseInMemoryStores()
            .AddModelHost<ExpandIn, VectorOut>("expand", h => h.PinVersion(1).WarmUpOnLoad = false)
            .AddModelHost<VectorIn, VectorOut>("adder", h => h.PinVersion(1).WarmUpWith("not a row"));
        await using var provider = services.BuildServiceProvider();
        using var collector = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "MlOps.Sdk.Serving", "mlops.serving.warmup_failures");
        var registry = provider.GetRequiredService<ModelRegistry>();
        var host = provider.GetRequiredKeyedService<ModelHost<ExpandIn, VectorOut>>("expand");

        Assert.True(await host.SwapToAsync(await registry.RegisterModelAsync("expand", new MemoryStream(OnnxModels.ExpandTo(4)))));

        Assert.Empty(collector.GetMeasurementSnapshot());
        var error = Assert.Throws<MlOpsValidationException>(() => provider.GetRequiredKeyedService<ModelHost<VectorIn, VectorOut>>("adder"));
        Assert.Contains("String", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(VectorIn), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TypedInputs_MissingAFieldOrOfAnotherType_AreRefusedNamingTheInput()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry()
            .AddModelHost<MissingFieldIn, VectorOut>("missing", h => h.PinVersion(1))
            .AddModelHost<WrongTypeIn, VectorOut>("wrong-type", h => h.PinVersion(1))
            .UseInMemoryStores();
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ModelRegistry>();
        var missing = provider.GetRequiredKeyedService<ModelHost<MissingFieldIn, VectorOut>>("missing");
        var wrongType = provider.GetRequiredKeyedService<ModelHost<WrongTypeIn, VectorOut>>("wrong-type");
        var failures = new List<ModelLoadFailure>();
        missing.LoadFailed += (_, f) => failures.Add(f);
        wrongType.LoadFailed += (_, f) => failures.Add(f);

        Assert.False(await missing.SwapToAsync(await registry.RegisterModelAsync("missing", new MemoryStream(OnnxModels.AddConstant(1f, 4)))));
        Assert.False(await wrongType.SwapToAsync(await registry.RegisterModelAsync("wrong-type", new MemoryStream(OnnxModels.AddConstant(1f, 4)))));

        Assert.All(failures, f => Assert.Equal("verify", f.Stage));
        Assert.Contains("'X'", Assert.IsType<ModelMappingException>(failures[0].Error).Message, StringComparison.Ordinal);
        Assert.Contains("'X'", Assert.IsType<ModelMappingException>(failures[1].Error).Message, StringComparison.Ordinal);
        Assert.Contains("Double[]", failures[1].Error.Message, StringComparison.Ordinal);
        Assert.Null(missing.CurrentVersion);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task HundredSwaps_UnderLoadFromFourThreads_FailNoCallAndAttributeEveryResult()
    {
        var host = await StartAdderAsync(1f);
        var second = await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(2f, 4)));
        var first = await Registry.GetVersionAsync("adder", 1);
        using var stop = new CancellationTokenSource();
        var predictions = 0L;
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var result = host.PredictWithProvenance(new VectorIn { X = [10, 20, 30, 40] });
                    if (result.Output.Y![0] - 10 != result.Version)
                    {
                        errors.Add(new InvalidOperationException($"Version {result.Version} computed {result.Output.Y[0]}."));
                    }

                    Interlocked.Increment(ref predictions);
                }
                catch (Exception e)
                {
                    errors.Add(e);
                }
            }
        })).ToList();

        for (var i = 0; i < 100; i++)
        {
            // Let calls run on each version before swapping it out again, so swaps and calls really interleave.
            var before = Interlocked.Read(ref predictions);
            Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref predictions) >= before + 20, TimeSpan.FromSeconds(30)));
            Assert.True(await host.SwapToAsync(i % 2 == 0 ? second : first!));
        }

        await stop.CancelAsync();
        await Task.WhenAll(callers);

        Assert.Empty(errors);
        Assert.True(predictions >= 2000, $"only {predictions} predictions ran during the swaps");
        Assert.Equal(1, host.CurrentVersion!.Number);
    }

    [Fact]
    public async Task FollowAlias_InAHost_SwapsWhenTheAliasMoves()
    {
        var v1 = await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(1f, 4)));
        var v2 = await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(2f, 4)));
        await Registry.SetAliasAsync("adder", "production", v1.Number);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMlOps().AddModelRegistry().AddModelHost<VectorIn, VectorOut>("adder", h => h.FollowAlias("production"));
        builder.Services.AddSingleton(Registry);
        using var app = builder.Build();
        await app.StartAsync();
        var host = app.Services.GetRequiredService<ModelHost<VectorIn, VectorOut>>();
        Assert.Equal(1, host.CurrentVersion!.Number);
        var swapped = new TaskCompletionSource<ModelVersion>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Swapped += (_, v) => swapped.TrySetResult(v);

        await Registry.SetAliasAsync("adder", "production", v2.Number);

        Assert.Equal(2, (await swapped.Task.WaitAsync(TimeSpan.FromSeconds(30))).Number);
        Assert.Equal([3f, 3f, 3f, 3f], host.Predict(new VectorIn { X = [1, 1, 1, 1] }).Y!);
        await app.StopAsync();
    }

    [Fact]
    public async Task PinRollbackUnpin_ControlWhatServes_AndTheMeterCountsIt()
    {
        using var predictions = new MetricCollector<long>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "MlOps.Sdk.Serving", "mlops.serving.predictions");
        using var swaps = new MetricCollector<long>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "MlOps.Sdk.Serving", "mlops.serving.swaps");
        var host = await StartAdderAsync(1f);
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.RollbackAsync());
        var v2 = await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(2f, 4)));
        await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(3f, 4)));
        await Registry.SetAliasAsync("adder", "production", v2.Number);

        Assert.True(await host.PinAsync(3));
        Assert.Equal(3, host.PredictWithProvenance(new VectorIn { X = [0, 0, 0, 0] }).Version);
        Assert.True(await host.RollbackAsync());
        Assert.Equal(1, host.PredictWithProvenance(new VectorIn { X = [0, 0, 0, 0] }).Version);
        await host.UnpinAsync();
        Assert.Equal(2, host.PredictWithProvenance(new VectorIn { X = [0, 0, 0, 0] }).Version);

        Assert.Equal(3, predictions.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(4, swaps.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.All(predictions.GetMeasurementSnapshot(), m => Assert.Equal("adder", m.Tags["mlops.model"]));
    }

    [Fact]
    public async Task HealthCheck_FollowsWhatTheHostServes()
    {
        var health = _services.GetRequiredService<HealthCheckService>();
        async Task<HealthStatus> StatusAsync() => (await health.CheckHealthAsync(r => r.Name == "mlops-model-adder")).Status;

        Assert.Equal(HealthStatus.Unhealthy, await StatusAsync());
        var host = await StartAdderAsync(1f);
        Assert.Equal(HealthStatus.Healthy, await StatusAsync());
        var broken = await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.Identity(OnnxModels.Int64, ["batch", 4])));
        Assert.False(await host.SwapToAsync(broken));
        Assert.Equal(HealthStatus.Degraded, await StatusAsync());
        Assert.True(await host.SwapToAsync((await Registry.GetVersionAsync("adder", 1))!));
        Assert.Equal(HealthStatus.Healthy, await StatusAsync());
    }

    [Fact]
    public void Predict_BeforeAnyVersionIsLoaded_SaysWhatToDo()
    {
        var host = _services.GetRequiredKeyedService<ModelHost<VectorIn, VectorOut>>("adder");

        var error = Assert.Throws<ModelNotLoadedException>(() => host.Predict(new VectorIn { X = [1, 2, 3, 4] }));

        Assert.Contains("StartAsync", error.Message, StringComparison.Ordinal);
    }

    private async Task<ModelHost<VectorIn, VectorOut>> StartAdderAsync(float constant)
    {
        var version = await Registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(constant, 4)));
        var host = _services.GetRequiredKeyedService<ModelHost<VectorIn, VectorOut>>("adder");
        Assert.True(await host.SwapToAsync(version));
        return host;
    }

    public sealed class VectorIn
    {
        public float[]? X { get; set; }
    }

    public sealed class ExpandIn
    {
        public float[]? X { get; set; }

        public long[]? S { get; set; }
    }

    public sealed class MissingFieldIn
    {
        public float[]? Z { get; set; }
    }

    public sealed class WrongTypeIn
    {
        public double[]? X { get; set; }
    }

    public sealed class VectorOut
    {
        public float[]? Y { get; set; }
    }

    public sealed class Score
    {
        public float Probability { get; set; }

        [ModelOutput("Score.output")]
        public float ScoreValue { get; set; }

        public bool PredictedLabel { get; set; }
    }

    public sealed class MlNetPrediction
    {
        public float Probability { get; set; }

        public float Score { get; set; }

        public bool PredictedLabel { get; set; }
    }
}
