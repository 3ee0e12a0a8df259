using MlOps.Sdk.Onnx;

namespace MlOps.Sdk.Versioning.Onnx;

/// <summary>Reads the signature of an ONNX model (<c>ModelProto.graph</c> inputs and outputs) without loading the model.</summary>
public static class OnnxSignatureReader
{
    private const Google.Protobuf.WireFormat.WireType Varint = Google.Protobuf.WireFormat.WireType.Varint;
    private const Google.Protobuf.WireFormat.WireType Delimited = Google.Protobuf.WireFormat.WireType.LengthDelimited;

    private static readonly string[] ElementTypes =
    [
        "undefined", "float", "uint8", "int8", "uint16", "int16", "int32", "int64", "string", "bool", "float16",
        "double", "uint32", "uint64", "complex64", "complex128", "bfloat16", "float8e4m3fn", "float8e4m3fnuz",
        "float8e5m2", "float8e5m2fnuz", "uint4", "int4", "float4e2m1",
    ];

    /// <summary>Reads the signature from <paramref name="model"/>, to its end.</summary>
    /// <exception cref="OnnxFormatException">The content is not an ONNX model with a graph.</exception>
    public static ModelSignature Read(Stream model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var reader = new OnnxReader(model);
        var inputs = new List<TensorSignature>();
        var outputs = new List<TensorSignature>();
        var initializers = new HashSet<string>(StringComparer.Ordinal);
        var sawGraph = false;
        var sawIrVersion = false;
        while (reader.Next(long.MaxValue, out var field, out var wire))
        {
            if (field == OnnxField.ModelIrVersion && wire == Varint)
            {
                sawIrVersion = true;
                reader.Varint(long.MaxValue);
            }
            else if (field == OnnxField.ModelGraph && wire == Delimited)
            {
                sawGraph = true;
                ReadGraph(reader, reader.ValueEnd(long.MaxValue), inputs, outputs, initializers);
            }
            else
            {
                reader.Skip(long.MaxValue);
            }
        }

        if (!sawGraph || !sawIrVersion)
        {
            throw new OnnxFormatException(sawGraph ? "it has no IR version" : "it has no graph");
        }

        return new ModelSignature(inputs.Where(i => !initializers.Contains(i.Name)).ToList(), outputs);
    }

    private static void ReadGraph(OnnxReader reader, long end, List<TensorSignature> inputs, List<TensorSignature> outputs, HashSet<string> initializers)
    {
        while (reader.Next(end, out var field, out var wire))
        {
            switch (field)
            {
                case OnnxField.GraphInitializer when wire == Delimited:
                    var name = ReadInitializerName(reader, reader.ValueEnd(end));
                    if (name is not null)
                    {
                        initializers.Add(name);
                    }

                    break;
                case OnnxField.GraphInput when wire == Delimited:
                    inputs.Add(ReadValueInfo(reader, reader.ValueEnd(end)));
                    break;
                case OnnxField.GraphOutput when wire == Delimited:
                    outputs.Add(ReadValueInfo(reader, reader.ValueEnd(end)));
                    break;
                default:
                    reader.Skip(end);
                    break;
            }
        }

        reader.SkipTo(end);
    }

    private static string? ReadInitializerName(OnnxReader reader, long end)
    {
        string? name = null;
        while (reader.Next(end, out var field, out var wire))
        {
            if (field == OnnxField.TensorName && wire == Delimited)
            {
                name = reader.Text(end);
            }
            else
            {
                reader.Skip(end);
            }
        }

        return name;
    }

    private static TensorSignature ReadValueInfo(OnnxReader reader, long end)
    {
        var name = string.Empty;
        var type = "undefined";
        var shape = new List<TensorDimension>();
        while (reader.Next(end, out var field, out var wire))
        {
            if (field == OnnxField.ValueInfoName && wire == Delimited)
            {
                name = reader.Text(end);
            }
            else if (field == OnnxField.ValueInfoType && wire == Delimited)
            {
                type = ReadType(reader, reader.ValueEnd(end), shape);
            }
            else
            {
                reader.Skip(end);
            }
        }

        return new TensorSignature(name, type, shape);
    }

    private static string ReadType(OnnxReader reader, long end, List<TensorDimension> shape)
    {
        var type = "undefined";
        while (reader.Next(end, out var field, out var wire))
        {
            switch (field)
            {
                case OnnxField.TypeTensor when wire == Delimited:
                    type = ReadTensorType(reader, reader.ValueEnd(end), shape);
                    break;
                case OnnxField.TypeSequence when wire == Delimited:
                    type = "sequence";
                    reader.Skip(end);
                    break;
                case OnnxField.TypeMap when wire == Delimited:
                    type = "map";
                    reader.Skip(end);
                    break;
                case OnnxField.TypeOptional when wire == Delimited:
                    type = "optional";
                    reader.Skip(end);
                    break;
                default:
                    reader.Skip(end);
                    break;
            }
        }

        return type;
    }

    private static string ReadTensorType(OnnxReader reader, long end, List<TensorDimension> shape)
    {
        var type = "undefined";
        while (reader.Next(end, out var field, out var wire))
        {
            if (field == OnnxField.TensorTypeElementType && wire == Varint)
            {
                var code = reader.Varint(end);
                type = code < (ulong)ElementTypes.Length ? ElementTypes[code] : $"type{code}";
            }
            else if (field == OnnxField.TensorTypeShape && wire == Delimited)
            {
                var shapeEnd = reader.ValueEnd(end);
                while (reader.Next(shapeEnd, out var dimField, out var dimWire))
                {
                    if (dimField == OnnxField.ShapeDimension && dimWire == Delimited)
                    {
                        shape.Add(ReadDimension(reader, reader.ValueEnd(shapeEnd)));
                    }
                    else
                    {
                        reader.Skip(shapeEnd);
                    }
                }
            }
            else
            {
                reader.Skip(end);
            }
        }

        return type;
    }

    private static TensorDimension ReadDimension(OnnxReader reader, long end)
    {
        long? size = null;
        string? symbol = null;
        while (reader.Next(end, out var field, out var wire))
        {
            if (field == OnnxField.DimensionValue && wire == Varint)
            {
                var value = (long)reader.Varint(end);
                size = value >= 0 ? value : null;
            }
            else if (field == OnnxField.DimensionParam && wire == Delimited)
            {
                symbol = reader.Text(end);
            }
            else
            {
                reader.Skip(end);
            }
        }

        return new TensorDimension(size, size is null ? symbol : null);
    }
}
