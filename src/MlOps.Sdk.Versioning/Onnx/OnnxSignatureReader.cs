namespace MlOps.Sdk.Versioning.Onnx;

/// <summary>Reads the signature of an ONNX model (<c>ModelProto.graph</c> inputs and outputs) without loading the model.</summary>
public static class OnnxSignatureReader
{
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
        var reader = new ProtoReader(model);
        var inputs = new List<TensorSignature>();
        var outputs = new List<TensorSignature>();
        var initializers = new HashSet<string>(StringComparer.Ordinal);
        var sawGraph = false;
        var sawIrVersion = false;
        while (reader.TryReadTag(long.MaxValue, out var field, out var wire))
        {
            if (field == 1 && wire == 0)
            {
                sawIrVersion = true;
                reader.ReadVarint();
            }
            else if (field == 7 && wire == 2)
            {
                sawGraph = true;
                ReadGraph(reader, reader.ReadLength(long.MaxValue), inputs, outputs, initializers);
            }
            else
            {
                reader.Skip(wire, long.MaxValue);
            }
        }

        if (!sawGraph || !sawIrVersion)
        {
            throw new OnnxFormatException(sawGraph ? "it has no IR version" : "it has no graph");
        }

        return new ModelSignature(inputs.Where(i => !initializers.Contains(i.Name)).ToList(), outputs);
    }

    private static void ReadGraph(ProtoReader reader, long end, List<TensorSignature> inputs, List<TensorSignature> outputs, HashSet<string> initializers)
    {
        while (reader.TryReadTag(end, out var field, out var wire))
        {
            switch (field)
            {
                case 5 when wire == 2:
                    var name = ReadInitializerName(reader, reader.ReadLength(end));
                    if (name is not null)
                    {
                        initializers.Add(name);
                    }

                    break;
                case 11 when wire == 2:
                    inputs.Add(ReadValueInfo(reader, reader.ReadLength(end)));
                    break;
                case 12 when wire == 2:
                    outputs.Add(ReadValueInfo(reader, reader.ReadLength(end)));
                    break;
                default:
                    reader.Skip(wire, end);
                    break;
            }
        }

        reader.SkipTo(end, end);
    }

    private static string? ReadInitializerName(ProtoReader reader, long end)
    {
        string? name = null;
        while (reader.TryReadTag(end, out var field, out var wire))
        {
            if (field == 8 && wire == 2)
            {
                name = reader.ReadString(end);
            }
            else
            {
                reader.Skip(wire, end);
            }
        }

        return name;
    }

    private static TensorSignature ReadValueInfo(ProtoReader reader, long end)
    {
        var name = string.Empty;
        var type = "undefined";
        var shape = new List<TensorDimension>();
        while (reader.TryReadTag(end, out var field, out var wire))
        {
            if (field == 1 && wire == 2)
            {
                name = reader.ReadString(end);
            }
            else if (field == 2 && wire == 2)
            {
                type = ReadType(reader, reader.ReadLength(end), shape);
            }
            else
            {
                reader.Skip(wire, end);
            }
        }

        return new TensorSignature(name, type, shape);
    }

    private static string ReadType(ProtoReader reader, long end, List<TensorDimension> shape)
    {
        var type = "undefined";
        while (reader.TryReadTag(end, out var field, out var wire))
        {
            switch (field)
            {
                case 1 when wire == 2:
                    type = ReadTensorType(reader, reader.ReadLength(end), shape);
                    break;
                case 4 when wire == 2:
                    type = "sequence";
                    reader.Skip(wire, end);
                    break;
                case 5 when wire == 2:
                    type = "map";
                    reader.Skip(wire, end);
                    break;
                case 9 when wire == 2:
                    type = "optional";
                    reader.Skip(wire, end);
                    break;
                default:
                    reader.Skip(wire, end);
                    break;
            }
        }

        return type;
    }

    private static string ReadTensorType(ProtoReader reader, long end, List<TensorDimension> shape)
    {
        var type = "undefined";
        while (reader.TryReadTag(end, out var field, out var wire))
        {
            if (field == 1 && wire == 0)
            {
                var code = reader.ReadVarint();
                type = code < (ulong)ElementTypes.Length ? ElementTypes[code] : $"type{code}";
            }
            else if (field == 2 && wire == 2)
            {
                var shapeEnd = reader.ReadLength(end);
                while (reader.TryReadTag(shapeEnd, out var dimField, out var dimWire))
                {
                    if (dimField == 1 && dimWire == 2)
                    {
                        shape.Add(ReadDimension(reader, reader.ReadLength(shapeEnd)));
                    }
                    else
                    {
                        reader.Skip(dimWire, shapeEnd);
                    }
                }
            }
            else
            {
                reader.Skip(wire, end);
            }
        }

        return type;
    }

    private static TensorDimension ReadDimension(ProtoReader reader, long end)
    {
        long? size = null;
        string? symbol = null;
        while (reader.TryReadTag(end, out var field, out var wire))
        {
            if (field == 1 && wire == 0)
            {
                var value = (long)reader.ReadVarint();
                size = value >= 0 ? value : null;
            }
            else if (field == 2 && wire == 2)
            {
                symbol = reader.ReadString(end);
            }
            else
            {
                reader.Skip(wire, end);
            }
        }

        return new TensorDimension(size, size is null ? symbol : null);
    }
}
