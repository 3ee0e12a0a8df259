using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Serving.Tests;

/// <summary>The untyped host does what the typed one does: follows an alias, routes, batches, is observed and counted.</summary>
public sealed class UntypedHostTests
{
    private static NamedTensors Row(params float[] x) => new() { { "X", TensorValue.Create(x, 1, x.Length) } };

    [Fact]
    public async Task FollowsTheAlias_RoutesCanaries_ObservesAndCountsEveryCall_WithProvenance()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().UseInMemoryStores()
            .AddModelHost("adder", h => h.FollowAlias("production").Canary("candidate", percent: 50));
        await using var provider = services.BuildServiceProvider();
        var meters = provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var predictions = new MetricCollector<long>(meters, "MlOps.Sdk.Serving", "mlops.serving.predictions");
        var registry = provider.GetRequiredService<ModelRegistry>();
        foreach (var (alias, constant) in new[] { ("production", 1f), ("candidate", 2f) })
        {
            await registry.SetAliasAsync("adder", alias, (await registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(constant, 4)))).Number);
        }

        var host = provider.GetRequiredKeyedService<ModelHost>("adder");
        Assert.Same(host, provider.GetRequiredKeyedService<ModelHost<NamedTensors, NamedTensors>>("adder"));
        await host.StartAsync();
        var seen = new System.Collections.Concurrent.ConcurrentBag<(float Y, int Version)>();
        var observing = host.Observe(new Recording(seen));

        var routed = Enumerable.Range(0, 200).Select(k => host.PredictWithProvenance(Row(0, 0, 0, 0), $"user-{k}")).ToList();
        await ((IAsyncDisposable)observing).DisposeAsync();

        Assert.All(routed, p => Assert.Equal(p.Variant == "canary" ? 2f : 1f, p.Output["Y"].AsSpan<float>()[0]));
        Assert.Contains(routed, p => p.Variant == "canary");
        Assert.Contains(routed, p => p.Variant == ModelHostOptions.PrimaryVariant);
        Assert.Equal(routed.Select(p => p.Version).Order(), seen.Select(s => s.Version).Order());
        Assert.Equal(200, predictions.GetMeasurementSnapshot().Sum(m => m.Value));

        await registry.SetAliasAsync("adder", "production", 2);
        Assert.True(SpinWait.SpinUntil(() => host.Predict(Row(0, 0, 0, 0))["Y"].AsSpan<float>()[0] == 2f, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Shadow_ComparesNamedOutputs_TensorByTensor()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().UseInMemoryStores()
            .AddModelHost("same", h => h.FollowAlias("production").ShadowTo("challenger"))
            .AddModelHost("other", h => h.FollowAlias("production").ShadowTo("challenger"));
        await using var provider = services.BuildServiceProvider();
        var meters = provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var comparisons = new MetricCollector<long>(meters, "MlOps.Sdk.Serving", "mlops.serving.shadow.comparisons");
        var registry = provider.GetRequiredService<ModelRegistry>();
        foreach (var (model, challenger) in new[] { ("same", 1f), ("other", 2f) })
        {
            await registry.SetAliasAsync(model, "production", (await registry.RegisterModelAsync(model, new MemoryStream(OnnxModels.AddConstant(1f, 4)))).Number);
            await registry.SetAliasAsync(model, "challenger", (await registry.RegisterModelAsync(model, new MemoryStream(OnnxModels.AddConstant(challenger, 4)))).Number);
        }

        foreach (var model in new[] { "same", "other" })
        {
            var host = provider.GetRequiredKeyedService<ModelHost>(model);
            await host.StartAsync();
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(1f, host.Predict(Row(0, 0, 0, 0))["Y"].AsSpan<float>()[0]);
            }
        }

        Assert.True(SpinWait.SpinUntil(() => comparisons.GetMeasurementSnapshot().Sum(m => m.Value) == 40, TimeSpan.FromSeconds(10)));
        var outcomes = comparisons.GetMeasurementSnapshot().GroupBy(m => ((string)m.Tags["mlops.model"]!, (string)m.Tags["mlops.shadow.outcome"]!)).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(20, outcomes.GetValueOrDefault(("same", "agree")));
        Assert.Equal(20, outcomes.GetValueOrDefault(("other", "disagree")));
    }

    [Fact]
    public async Task MicroBatchedCalls_EachGetTheirOwnRows()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().UseInMemoryStores().AddModelHost("adder", h => h.PinVersion(1).MicroBatching());
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<ModelRegistry>().RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(1f, 4)));
        var host = provider.GetRequiredKeyedService<ModelHost>("adder");
        await host.StartAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(async () => (i, (await host.PredictAsync(Row(i, i, i, i)))["Y"]))));

        Assert.All(results, r => Assert.Equal(Enumerable.Repeat(r.i + 1f, 4), r.Item2.AsSpan<float>().ToArray()));
        Assert.All(results, r => Assert.Equal([1L, 4L], r.Item2.Shape));
    }

    [Fact]
    public async Task AMissingOrExtraOrMistypedInput_IsAModelInputExceptionNamingIt()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().UseInMemoryStores().AddModelHost("adder", h => h.PinVersion(1));
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<ModelRegistry>().RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(1f, 4)));
        var host = provider.GetRequiredKeyedService<ModelHost>("adder");
        await host.StartAsync();

        Assert.Equal("X", Assert.Throws<ModelInputException>(() => host.Predict(new NamedTensors())).Input);
        var extra = Row(0, 0, 0, 0);
        extra.Add("Z", TensorValue.Create(new float[1]));
        Assert.Equal("Z", Assert.Throws<ModelInputException>(() => host.Predict(extra)).Input);
        Assert.Equal("X", Assert.Throws<ModelInputException>(() => host.Predict(new NamedTensors { { "X", TensorValue.Create(new double[4], 1, 4) } })).Input);
        Assert.Equal("X", Assert.Throws<ModelInputException>(() => host.Predict(Row(0, 0, 0))).Input);
        Assert.Equal([2f, 3f, 4f, 5f], host.Predict(Row(1, 2, 3, 4))["Y"].AsSpan<float>().ToArray());
    }

    [Fact]
    public void TensorValue_RefusesAShapeThatDoesNotHoldItsValues_AndReadsAsItsOwnTypeOnly()
    {
        Assert.Throws<ArgumentException>(() => TensorValue.Create(new float[6], 4, 2));
        Assert.Throws<ArgumentException>(() => TensorValue.Create(new decimal[1]));
        var value = TensorValue.Create(new[] { 1, 2, 3, 4, 5, 6 }, 2, 3);

        Assert.Equal([2L, 3L], value.Shape);
        Assert.Equal("Int32[2,3]", value.ToString());
        Assert.Throws<InvalidOperationException>(() => value.AsSpan<long>().ToArray());
        Assert.Throws<InvalidOperationException>(() => value.AsMaps<long>());
    }

    private sealed class Recording(System.Collections.Concurrent.ConcurrentBag<(float, int)> seen) : IPredictionObserver<NamedTensors, NamedTensors>
    {
        public void OnPrediction(NamedTensors input, NamedTensors output, ModelVersion version) => seen.Add((output["Y"].AsSpan<float>()[0], version.Number));
    }
}
