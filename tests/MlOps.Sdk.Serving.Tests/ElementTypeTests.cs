using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Serving.Tests;

/// <summary>Every numeric ONNX element type through the typed API and the tensor API, equal to ONNX Runtime's own run.</summary>
public sealed class ElementTypeTests
{
    [Fact]
    public Task UInt8_Quantized() => RoundTripAsync<byte>(2, [0, 7, 255]);

    [Fact]
    public Task Int8_Quantized() => RoundTripAsync<sbyte>(3, [-128, 0, 127]);

    [Fact]
    public Task UInt16() => RoundTripAsync<ushort>(4, [0, 1, ushort.MaxValue]);

    [Fact]
    public Task Int16() => RoundTripAsync<short>(5, [short.MinValue, -1, short.MaxValue]);

    [Fact]
    public Task UInt32() => RoundTripAsync<uint>(12, [0, 1, uint.MaxValue]);

    [Fact]
    public Task UInt64() => RoundTripAsync<ulong>(13, [0, 1, ulong.MaxValue]);

    [Fact]
    public Task Float16_Fp16Export() => RoundTripAsync<Float16>(10, [(Float16)0.5f, (Float16)(-2f), (Float16)65504f]);

    [Fact]
    public Task BFloat16() => RoundTripAsync<BFloat16>(16, [(BFloat16)0.5f, (BFloat16)(-2f), (BFloat16)3e38f]);

    [Fact]
    public async Task Float16_IsReadableAsSystemHalf_ThroughTheTensorApi()
    {
        await using var provider = Build<Float16>(out var host);
        Assert.True(await host.SwapToAsync(await provider.GetRequiredService<ModelRegistry>().RegisterModelAsync("typed", new MemoryStream(OnnxModels.Identity(10, ["batch", 3])))));
        using var tensors = host.CreateTensors();

        Half[] values = [(Half)1.5f, (Half)(-3f), Half.MaxValue];
        values.CopyTo(tensors.Input<Half>("X"));
        host.Run(tensors);

        Assert.Equal(values, tensors.Output<Half>("Y").ToArray());
    }

    private static async Task RoundTripAsync<T>(int onnxType, T[] values)
        where T : unmanaged
    {
        var model = OnnxModels.Identity(onnxType, ["batch", values.Length]);
        await using var provider = Build<T>(out var host);
        Assert.True(await host.SwapToAsync(await provider.GetRequiredService<ModelRegistry>().RegisterModelAsync("typed", new MemoryStream(model))));
        var runtime = RunOnnxRuntime(model, values);

        var typed = host.Predict(new Vector<T> { X = values }).Y!;

        using var tensors = host.CreateTensors();
        values.CopyTo(tensors.Input<T>("X"));
        host.Run(tensors);
        Assert.Equal(runtime, typed);
        Assert.Equal(runtime, tensors.Output<T>("Y").ToArray());
        Assert.Equal(values, runtime);
    }

    private static T[] RunOnnxRuntime<T>(byte[] model, T[] values)
        where T : unmanaged
    {
        using var session = new InferenceSession(model);
        using var input = OrtValue.CreateTensorValueFromMemory(values.ToArray(), [1, values.Length]);
        using var outputs = session.Run(new RunOptions(), ["X"], [input], ["Y"]);
        return outputs[0].GetTensorDataAsSpan<T>().ToArray();
    }

    private static ServiceProvider Build<T>(out ModelHost<Vector<T>, Output<T>> host)
        where T : unmanaged
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().UseInMemoryStores().AddModelHost<Vector<T>, Output<T>>("typed", h => h.PinVersion(1));
        var provider = services.BuildServiceProvider();
        host = provider.GetRequiredKeyedService<ModelHost<Vector<T>, Output<T>>>("typed");
        return provider;
    }

    public sealed class Vector<T>
    {
        public T[]? X { get; set; }
    }

    public sealed class Output<T>
    {
        public T[]? Y { get; set; }
    }
}
