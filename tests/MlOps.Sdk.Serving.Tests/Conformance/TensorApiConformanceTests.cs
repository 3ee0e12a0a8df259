using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace MlOps.Sdk.Serving.Tests.Conformance;

/// <summary>Every model and case of the conformance set through the tensor API: outputs equal to ONNX Runtime's own.</summary>
public sealed class TensorApiConformanceTests
{
    [Theory]
    [MemberData(nameof(UntypedConformanceTests.Cases), MemberType = typeof(UntypedConformanceTests))]
    public async Task TensorApi_EqualsOnnxRuntime(string id)
    {
        var @case = UntypedConformanceTests.ConformanceCase(id);
        await using var provider = await UntypedConformanceTests.ServeAsync(@case.ModelPath);
        var host = provider.GetRequiredKeyedService<ModelHost>("model");
        using var session = new InferenceSession(@case.ModelPath);
        var runtime = RawRuntime.Run(session, @case.Inputs);
        using var tensors = host.CreateTensorsWithShapes(@case.Inputs.ToDictionary(i => i.Key, i => i.Value.Shape.ToArray()), [.. runtime.Keys]);

        // Twice on the same tensors: the second run reuses the bindings, string copies and run-allocated outputs.
        for (var run = 0; run < 2; run++)
        {
            foreach (var (name, value) in @case.Inputs)
            {
                Write(tensors, name, value);
            }

            host.Run(tensors);

            foreach (var (name, expected) in runtime)
            {
                TensorAssert.Equal(expected, Read(tensors, name, expected), 0, name);
            }
        }
    }

    [Fact]
    public async Task AShapeThatDoesNotFitItsInput_IsAModelInputException()
    {
        var @case = UntypedConformanceTests.ConformanceCase("cnn/0");
        await using var provider = await UntypedConformanceTests.ServeAsync(@case.ModelPath);
        var host = provider.GetRequiredKeyedService<ModelHost>("model");

        Assert.Equal("image", Assert.Throws<ModelInputException>(() => host.CreateTensorsWithShapes(new Dictionary<string, long[]> { ["image"] = [1, 4, 8, 8] })).Input);
        Assert.Equal("image", Assert.Throws<ModelInputException>(() => host.CreateTensors()).Input);
        Assert.Equal("mask", Assert.Throws<ModelInputException>(() => host.CreateTensorsWithShapes(new Dictionary<string, long[]> { ["image"] = [1, 3, 8, 8], ["mask"] = [1] })).Input);
    }

    private static void Write(ModelTensors tensors, string name, TensorValue value)
    {
        switch (value.DataType)
        {
            case TensorDataType.Float32: value.AsSpan<float>().CopyTo(tensors.Input<float>(name)); break;
            case TensorDataType.Float64: value.AsSpan<double>().CopyTo(tensors.Input<double>(name)); break;
            case TensorDataType.Float16: value.AsSpan<Half>().CopyTo(tensors.Input<Half>(name)); break;
            case TensorDataType.BFloat16: System.Runtime.InteropServices.MemoryMarshal.Cast<ushort, BFloat16>(value.AsSpan<ushort>()).CopyTo(tensors.Input<BFloat16>(name)); break;
            case TensorDataType.Int8: value.AsSpan<sbyte>().CopyTo(tensors.Input<sbyte>(name)); break;
            case TensorDataType.Int16: value.AsSpan<short>().CopyTo(tensors.Input<short>(name)); break;
            case TensorDataType.Int32: value.AsSpan<int>().CopyTo(tensors.Input<int>(name)); break;
            case TensorDataType.Int64: value.AsSpan<long>().CopyTo(tensors.Input<long>(name)); break;
            case TensorDataType.UInt8: value.AsSpan<byte>().CopyTo(tensors.Input<byte>(name)); break;
            case TensorDataType.UInt16: value.AsSpan<ushort>().CopyTo(tensors.Input<ushort>(name)); break;
            case TensorDataType.UInt32: value.AsSpan<uint>().CopyTo(tensors.Input<uint>(name)); break;
            case TensorDataType.UInt64: value.AsSpan<ulong>().CopyTo(tensors.Input<ulong>(name)); break;
            case TensorDataType.Bool: value.AsSpan<bool>().CopyTo(tensors.Input<bool>(name)); break;
            case TensorDataType.String: value.AsSpan<string>().CopyTo(tensors.InputStrings(name)); break;
            default: Assert.Fail($"{value.DataType} cannot be an input"); break;
        }
    }

    private static TensorValue Read(ModelTensors tensors, string name, TensorValue expected)
    {
        if (expected.DataType == TensorDataType.MapSequence)
        {
            return IsLongKeyed(expected)
                ? TensorValue.CreateMaps([.. tensors.OutputMaps<long>(name)])
                : TensorValue.CreateMaps([.. tensors.OutputMaps<string>(name)]);
        }

        var shape = tensors.Shape(name).ToArray();
        return expected.DataType switch
        {
            TensorDataType.Float32 => TensorValue.Create(tensors.Output<float>(name).ToArray(), shape),
            TensorDataType.Float64 => TensorValue.Create(tensors.Output<double>(name).ToArray(), shape),
            TensorDataType.Float16 => TensorValue.Create(tensors.Output<Half>(name).ToArray(), shape),
            TensorDataType.BFloat16 => TensorValue.FromBFloat16Bits(System.Runtime.InteropServices.MemoryMarshal.Cast<BFloat16, ushort>(tensors.Output<BFloat16>(name)).ToArray(), shape),
            TensorDataType.Int8 => TensorValue.Create(tensors.Output<sbyte>(name).ToArray(), shape),
            TensorDataType.Int16 => TensorValue.Create(tensors.Output<short>(name).ToArray(), shape),
            TensorDataType.Int32 => TensorValue.Create(tensors.Output<int>(name).ToArray(), shape),
            TensorDataType.Int64 => TensorValue.Create(tensors.Output<long>(name).ToArray(), shape),
            TensorDataType.UInt8 => TensorValue.Create(tensors.Output<byte>(name).ToArray(), shape),
            TensorDataType.UInt16 => TensorValue.Create(tensors.Output<ushort>(name).ToArray(), shape),
            TensorDataType.UInt32 => TensorValue.Create(tensors.Output<uint>(name).ToArray(), shape),
            TensorDataType.UInt64 => TensorValue.Create(tensors.Output<ulong>(name).ToArray(), shape),
            TensorDataType.Bool => TensorValue.Create(tensors.Output<bool>(name).ToArray(), shape),
            _ => TensorValue.Create(tensors.OutputStrings(name).ToArray(), shape),
        };
    }

    private static bool IsLongKeyed(TensorValue maps)
    {
        try
        {
            _ = maps.AsMaps<long>();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
