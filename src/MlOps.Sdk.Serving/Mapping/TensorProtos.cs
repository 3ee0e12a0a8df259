using System.Runtime.InteropServices;
using Google.Protobuf;
using MlOps.Sdk.Onnx;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>
/// Named tensors as ONNX writes them: a <c>GraphProto</c> whose initializers are <c>TensorProto</c>s (name, dims,
/// data_type; raw_data little-endian for numbers, string_data for strings). Python reads it with
/// <c>onnx.GraphProto.FromString(data).initializer</c> and <c>onnx.numpy_helper.to_array</c>.
/// </summary>
internal static class TensorProtos
{

    private static readonly (TensorDataType Type, int Onnx)[] Types =
    [
        (TensorDataType.Float32, 1), (TensorDataType.UInt8, 2), (TensorDataType.Int8, 3), (TensorDataType.UInt16, 4),
        (TensorDataType.Int16, 5), (TensorDataType.Int32, 6), (TensorDataType.Int64, 7), (TensorDataType.String, 8),
        (TensorDataType.Bool, 9), (TensorDataType.Float16, 10), (TensorDataType.Float64, 11), (TensorDataType.UInt32, 12),
        (TensorDataType.UInt64, 13), (TensorDataType.BFloat16, 16),
    ];

    /// <exception cref="ArgumentException">A value is a sequence of maps, which is not an input.</exception>
    public static byte[] Write(NamedTensors tensors)
    {
        var graph = new OnnxWriter();
        foreach (var (name, value) in tensors)
        {
            graph.Bytes(OnnxField.GraphInitializer, WriteTensor(name, value));
        }

        return graph.ToArray();
    }

    /// <exception cref="InvalidDataException">The bytes are not tensors this codec wrote.</exception>
    public static NamedTensors Read(byte[] bytes)
    {
        var tensors = new NamedTensors();
        try
        {
            var graph = new CodedInputStream(bytes);
            while (graph.ReadTag() is var tag and not 0)
            {
                if (WireFormat.GetTagFieldNumber(tag) == OnnxField.GraphInitializer)
                {
                    var (name, value) = ReadTensor(graph.ReadBytes().ToByteArray());
                    tensors.Add(name, value);
                }
                else
                {
                    graph.SkipLastField();
                }
            }
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or ArgumentException or InvalidCastException)
        {
            throw new InvalidDataException($"These bytes are not named tensors: {e.Message}", e);
        }

        return tensors;
    }

    /// <summary>One ONNX <c>TensorProto</c>: name, dims, data_type and raw_data (numbers) or string_data.</summary>
    /// <exception cref="ArgumentException">The value is not a tensor.</exception>
    public static byte[] WriteTensor(string name, TensorValue value)
    {
        var type = Array.Find(Types, t => t.Type == value.DataType) is { Onnx: > 0 } known
            ? known.Onnx
            : throw new ArgumentException($"'{name}' is a {value.DataType}; only tensors can be an input example.", nameof(value));
        var tensor = new OnnxWriter();
        foreach (var dim in value.Shape)
        {
            tensor.Varint(OnnxField.TensorDims, (ulong)dim);
        }

        tensor.Varint(OnnxField.TensorDataType, (ulong)type);
        if (value.DataType == TensorDataType.String)
        {
            foreach (var text in value.AsSpan<string>())
            {
                tensor.Bytes(OnnxField.TensorStringData, System.Text.Encoding.UTF8.GetBytes(text));
            }
        }

        tensor.Text(OnnxField.TensorName, name);
        return value.DataType == TensorDataType.String ? tensor.ToArray() : tensor.Bytes(OnnxField.TensorRawData, Bytes(value)).ToArray();
    }

    /// <summary>A numeric tensor's values as their little-endian bytes.</summary>
    public static ReadOnlySpan<byte> Bytes(TensorValue value) => value.DataType switch
    {
        TensorDataType.Float32 => MemoryMarshal.AsBytes(value.AsSpan<float>()),
        TensorDataType.Float64 => MemoryMarshal.AsBytes(value.AsSpan<double>()),
        TensorDataType.Float16 => MemoryMarshal.AsBytes(value.AsSpan<Half>()),
        TensorDataType.BFloat16 or TensorDataType.UInt16 => MemoryMarshal.AsBytes(value.AsSpan<ushort>()),
        TensorDataType.Int8 => MemoryMarshal.AsBytes(value.AsSpan<sbyte>()),
        TensorDataType.Int16 => MemoryMarshal.AsBytes(value.AsSpan<short>()),
        TensorDataType.Int32 => MemoryMarshal.AsBytes(value.AsSpan<int>()),
        TensorDataType.Int64 => MemoryMarshal.AsBytes(value.AsSpan<long>()),
        TensorDataType.UInt8 => value.AsSpan<byte>(),
        TensorDataType.UInt32 => MemoryMarshal.AsBytes(value.AsSpan<uint>()),
        TensorDataType.UInt64 => MemoryMarshal.AsBytes(value.AsSpan<ulong>()),
        _ => MemoryMarshal.AsBytes(value.AsSpan<bool>()),
    };

    /// <summary>One ONNX <c>TensorProto</c> (as ONNX's own tools write them, too: packed or unpacked dims).</summary>
    /// <exception cref="InvalidDataException">Its data type is not a tensor element type.</exception>
    public static (string Name, TensorValue Value) ReadTensor(byte[] bytes)
    {
        var input = new CodedInputStream(bytes);
        var name = string.Empty;
        var dims = new List<long>();
        var type = 0;
        var raw = Array.Empty<byte>();
        var strings = new List<string>();
        while (input.ReadTag() is var tag and not 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case OnnxField.TensorDims when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    var packed = new CodedInputStream(input.ReadBytes().ToByteArray());
                    while (!packed.IsAtEnd)
                    {
                        dims.Add(packed.ReadInt64());
                    }

                    break;
                case OnnxField.TensorDims:
                    dims.Add(input.ReadInt64());
                    break;
                case OnnxField.TensorDataType:
                    type = input.ReadInt32();
                    break;
                case OnnxField.TensorStringData:
                    strings.Add(input.ReadBytes().ToStringUtf8());
                    break;
                case OnnxField.TensorName:
                    name = input.ReadString();
                    break;
                case OnnxField.TensorRawData:
                    raw = input.ReadBytes().ToByteArray();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        var shape = dims.ToArray();
        var dataType = Array.Find(Types, t => t.Onnx == type) is { Onnx: > 0 } known ? known.Type : throw new InvalidDataException($"Tensor '{name}' has ONNX data type {type}, which is not a tensor element type.");
        return (name, dataType switch
        {
            TensorDataType.Float32 => TensorValue.Create(Cast<float>(raw), shape),
            TensorDataType.Float64 => TensorValue.Create(Cast<double>(raw), shape),
            TensorDataType.Float16 => TensorValue.Create(Cast<Half>(raw), shape),
            TensorDataType.BFloat16 => TensorValue.FromBFloat16Bits(Cast<ushort>(raw), shape),
            TensorDataType.Int8 => TensorValue.Create(Cast<sbyte>(raw), shape),
            TensorDataType.Int16 => TensorValue.Create(Cast<short>(raw), shape),
            TensorDataType.Int32 => TensorValue.Create(Cast<int>(raw), shape),
            TensorDataType.Int64 => TensorValue.Create(Cast<long>(raw), shape),
            TensorDataType.UInt8 => TensorValue.Create(raw, shape),
            TensorDataType.UInt16 => TensorValue.Create(Cast<ushort>(raw), shape),
            TensorDataType.UInt32 => TensorValue.Create(Cast<uint>(raw), shape),
            TensorDataType.UInt64 => TensorValue.Create(Cast<ulong>(raw), shape),
            TensorDataType.Bool => TensorValue.Create(Cast<bool>(raw), shape),
            _ => TensorValue.Create(strings.ToArray(), shape),
        });
    }

    private static T[] Cast<T>(byte[] raw)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(raw).ToArray();
}
