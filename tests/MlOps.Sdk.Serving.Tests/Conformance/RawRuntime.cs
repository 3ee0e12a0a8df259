using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlOps.Sdk.Serving.Tests.Conformance;

/// <summary>
/// ONNX Runtime on its own, through its <see cref="NamedOnnxValue"/> and <see cref="DenseTensor{T}"/> API (not the
/// SDK's code path): what every served output is compared with.
/// </summary>
public static class RawRuntime
{
    public static NamedTensors Run(InferenceSession session, NamedTensors inputs)
    {
        var feeds = inputs.Select(i => Feed(i.Key, i.Value)).ToList();
        using var results = session.Run(feeds);
        var outputs = new NamedTensors();
        foreach (var result in results)
        {
            outputs.Add(result.Name, Read(result));
        }

        return outputs;
    }

    private static NamedOnnxValue Feed(string name, TensorValue value)
    {
        var dims = value.Shape.Select(d => (int)d).ToArray();
        return value.DataType switch
        {
            TensorDataType.Float32 => Of<float>(),
            TensorDataType.Float64 => Of<double>(),
            TensorDataType.Float16 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<Float16>(MemoryMarshal.Cast<Half, Float16>(value.AsSpan<Half>()).ToArray(), dims)),
            TensorDataType.BFloat16 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<BFloat16>(MemoryMarshal.Cast<ushort, BFloat16>(value.AsSpan<ushort>()).ToArray(), dims)),
            TensorDataType.Int8 => Of<sbyte>(),
            TensorDataType.Int16 => Of<short>(),
            TensorDataType.Int32 => Of<int>(),
            TensorDataType.Int64 => Of<long>(),
            TensorDataType.UInt8 => Of<byte>(),
            TensorDataType.UInt16 => Of<ushort>(),
            TensorDataType.UInt32 => Of<uint>(),
            TensorDataType.UInt64 => Of<ulong>(),
            TensorDataType.Bool => Of<bool>(),
            TensorDataType.String => Of<string>(),
            var other => throw new NotSupportedException(other.ToString()),
        };

        NamedOnnxValue Of<T>() => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<T>(value.AsSpan<T>().ToArray(), dims));
    }

    private static TensorValue Read(DisposableNamedOnnxValue result)
    {
        if (result.ValueType == OnnxValueType.ONNX_TYPE_SEQUENCE)
        {
            var maps = result.AsEnumerable<DisposableNamedOnnxValue>().ToList();
            return maps.Count > 0 && maps[0].AsDictionary<string, float>() is not null && IsStringKeyed(maps[0])
                ? TensorValue.CreateMaps(maps.Select(m => (IReadOnlyDictionary<string, float>)m.AsDictionary<string, float>()).ToArray())
                : TensorValue.CreateMaps(maps.Select(m => (IReadOnlyDictionary<long, float>)m.AsDictionary<long, float>()).ToArray());
        }

        var tensor = (TensorBase)result.Value;
        return tensor.GetTypeInfo().ElementType switch
        {
            TensorElementType.Float => Of<float>(),
            TensorElementType.Double => Of<double>(),
            TensorElementType.Float16 => TensorValue.Create(MemoryMarshal.Cast<Float16, Half>(result.AsTensor<Float16>().ToArray().AsSpan()).ToArray(), Shape(result.AsTensor<Float16>())),
            TensorElementType.BFloat16 => TensorValue.FromBFloat16Bits(MemoryMarshal.Cast<BFloat16, ushort>(result.AsTensor<BFloat16>().ToArray().AsSpan()).ToArray(), Shape(result.AsTensor<BFloat16>())),
            TensorElementType.Int8 => Of<sbyte>(),
            TensorElementType.Int16 => Of<short>(),
            TensorElementType.Int32 => Of<int>(),
            TensorElementType.Int64 => Of<long>(),
            TensorElementType.UInt8 => Of<byte>(),
            TensorElementType.UInt16 => Of<ushort>(),
            TensorElementType.UInt32 => Of<uint>(),
            TensorElementType.UInt64 => Of<ulong>(),
            TensorElementType.Bool => Of<bool>(),
            TensorElementType.String => Of<string>(),
            var other => throw new NotSupportedException(other.ToString()),
        };

        TensorValue Of<T>() => TensorValue.Create(result.AsTensor<T>().ToArray(), Shape(result.AsTensor<T>()));
    }

    private static bool IsStringKeyed(DisposableNamedOnnxValue map)
    {
        try
        {
            _ = map.AsDictionary<string, float>();
            return true;
        }
        catch (Exception e) when (e is InvalidCastException or OnnxRuntimeException or InvalidOperationException)
        {
            return false;
        }
    }

    private static long[] Shape<T>(Tensor<T> tensor) => tensor.Dimensions.ToArray().Select(d => (long)d).ToArray();
}
