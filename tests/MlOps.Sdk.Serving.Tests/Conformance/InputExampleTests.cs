using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Serving.Tests.Conformance;

/// <summary>An input example registered with a version (MLflow's input_example): stored, read back, and warmed up on.</summary>
public sealed class InputExampleTests
{
    [Theory]
    [MemberData(nameof(UntypedConformanceTests.Cases), MemberType = typeof(UntypedConformanceTests))]
    public async Task EveryConformanceInput_RoundTripsThroughTheRegistry(string id)
    {
        var @case = UntypedConformanceTests.ConformanceCase(id);
        await using var provider = Registry(out var registry);

        var version = await registry.RegisterModelAsync("model", File.OpenRead(@case.ModelPath), @case.Inputs);

        TensorAssert.Equal(@case.Inputs, (await registry.GetInputExampleAsync(version))!);
    }

    [Fact]
    public async Task AVersionThatFailsOnItsOwnExample_IsRefusedAtWarmUp_AndOneThatServesItLoads()
    {
        var @case = UntypedConformanceTests.ConformanceCase("cnn/0");
        await using var provider = Registry(out var registry, h => h.FollowAlias("production"));
        var host = provider.GetRequiredService<ModelHost<TypedConformanceTests.CnnIn, TypedConformanceTests.CnnOut>>();
        ModelLoadFailure? failure = null;
        host.LoadFailed += (_, f) => failure = f;
        var fourChannels = new NamedTensors { { "image", TensorValue.Create(new float[4 * 8 * 8], 1, 4, 8, 8) } };

        var refused = await registry.RegisterModelAsync("model", File.OpenRead(@case.ModelPath), fourChannels);
        var good = await registry.RegisterModelAsync("model", File.OpenRead(@case.ModelPath), @case.Inputs);

        Assert.False(await host.SwapToAsync(refused));
        Assert.Equal("warm-up", failure!.Stage);
        Assert.Equal("image", Assert.IsType<ModelInputException>(failure.Error).Input);
        Assert.Null(host.CurrentVersion);
        Assert.True(await host.SwapToAsync(good));
        Assert.Equal(2, host.CurrentVersion!.Number);
    }

    [Fact]
    public async Task AMapSequence_IsNotAnInputExample()
    {
        await using var provider = Registry(out var registry);
        var maps = new NamedTensors { { "scores", TensorValue.CreateMaps(new IReadOnlyDictionary<long, float>[] { new Dictionary<long, float> { [0] = 1f } }) } };

        await Assert.ThrowsAsync<ArgumentException>(() => registry.RegisterModelAsync("model", new MemoryStream([1]), maps));
    }

    private static ServiceProvider Registry(out ModelRegistry registry, Action<ModelHostOptions>? host = null)
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().UseInMemoryStores()
            .AddModelHost<TypedConformanceTests.CnnIn, TypedConformanceTests.CnnOut>("model", host ?? (h => h.PinVersion(1)));
        var provider = services.BuildServiceProvider();
        registry = provider.GetRequiredService<ModelRegistry>();
        return provider;
    }
}
