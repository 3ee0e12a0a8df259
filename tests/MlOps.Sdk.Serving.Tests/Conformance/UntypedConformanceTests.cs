using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Serving.Tests.Conformance;

/// <summary>Every model and case of the conformance set through the untyped host: outputs equal to ONNX Runtime's own.</summary>
public sealed class UntypedConformanceTests
{
    public static TheoryData<string> Cases() => [.. ConformanceSet.Load(ConformanceSet.Root).Select(c => c.ToString())];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Untyped_EqualsOnnxRuntime(string id)
    {
        var @case = ConformanceCase(id);
        await using var provider = await ServeAsync(@case.ModelPath);
        var host = provider.GetRequiredKeyedService<ModelHost>("model");

        var served = host.Predict(@case.Inputs);

        using var session = new InferenceSession(@case.ModelPath);
        TensorAssert.Equal(RawRuntime.Run(session, @case.Inputs), served);
        TensorAssert.Equal(@case.RuntimeOutputs, served, tolerance: 1e-5);
        foreach (var (expected, i) in @case.ExporterOutputs.Select((e, i) => (e, i)))
        {
            TensorAssert.Equal(expected, served.Values.ElementAt(i), tolerance: @case.ExporterTolerance, $"exporter output {i}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Untyped_Batched_EqualsEachCaseRunAlone(string id)
    {
        var @case = ConformanceCase(id);
        await using var provider = await ServeAsync(@case.ModelPath);
        var host = provider.GetRequiredKeyedService<ModelHost>("model");

        var batch = host.Predict([@case.Inputs, @case.Inputs]);

        var alone = host.Predict(@case.Inputs);
        TensorAssert.Equal(alone, batch[0]);
        TensorAssert.Equal(alone, batch[1]);
    }

    internal static ConformanceCase ConformanceCase(string id) => ConformanceSet.Load(ConformanceSet.Root).Single(c => c.ToString() == id);

    internal static async Task<ServiceProvider> ServeAsync(string modelPath, Action<IServiceCollection>? add = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddMlOps().AddModelRegistry().UseInMemoryStores().AddModelHost("model", h => h.PinVersion(1));
        add?.Invoke(services);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<ModelRegistry>().RegisterModelFileAsync("model", modelPath);
        await provider.GetRequiredKeyedService<ModelHost>("model").StartAsync();
        return provider;
    }
}
