using System.Globalization;
using System.Text.Json;
using MlOps.Sdk.Serving;

namespace MlOps.Sdk.AspNetCore.InferenceProtocol;

/// <summary>
/// Tensor elements between JSON and the host's element types. Numbers must fit their type (an INT8 of 300 is refused,
/// never wrapped); BOOL takes true, false, 0 and 1; floats also take the strings <c>NaN</c>, <c>Infinity</c> and
/// <c>-Infinity</c>, which is how they are written, since JSON has no such numbers.
/// </summary>
internal static class TensorElements
{
    public static TensorValue Create(TensorDataType type, List<JsonElement> elements, long[] shape, string name) => type switch
    {
        TensorDataType.Float32 => TensorValue.Create(Convert(elements, name, "FP32", e => (float)Real(e)), shape),
        TensorDataType.Float64 => TensorValue.Create(Convert(elements, name, "FP64", Real), shape),
        TensorDataType.Float16 => TensorValue.Create(Convert(elements, name, "FP16", e => (Half)Real(e)), shape),
        TensorDataType.BFloat16 => TensorValue.FromBFloat16Bits(Convert(elements, name, "BF16", e => BFloat16Bits((float)Real(e))), shape),
        TensorDataType.Int8 => TensorValue.Create(Convert(elements, name, "INT8", e => checked((sbyte)e.GetInt64())), shape),
        TensorDataType.Int16 => TensorValue.Create(Convert(elements, name, "INT16", e => checked((short)e.GetInt64())), shape),
        TensorDataType.Int32 => TensorValue.Create(Convert(elements, name, "INT32", e => e.GetInt32()), shape),
        TensorDataType.Int64 => TensorValue.Create(Convert(elements, name, "INT64", e => e.GetInt64()), shape),
        TensorDataType.UInt8 => TensorValue.Create(Convert(elements, name, "UINT8", e => e.GetByte()), shape),
        TensorDataType.UInt16 => TensorValue.Create(Convert(elements, name, "UINT16", e => e.GetUInt16()), shape),
        TensorDataType.UInt32 => TensorValue.Create(Convert(elements, name, "UINT32", e => e.GetUInt32()), shape),
        TensorDataType.UInt64 => TensorValue.Create(Convert(elements, name, "UINT64", e => e.GetUInt64()), shape),
        TensorDataType.Bool => TensorValue.Create(Convert(elements, name, "BOOL", Bool), shape),
        TensorDataType.String => TensorValue.Create(Convert(elements, name, "BYTES", e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new FormatException()), shape),
        _ => throw InferenceRequestReader.Bad(name, $"Input '{name}' has a datatype this server does not take."),
    };

    public static void Write(Utf8JsonWriter writer, TensorValue tensor)
    {
        switch (tensor.DataType)
        {
            case TensorDataType.Float32: foreach (var v in tensor.AsSpan<float>()) { WriteReal(writer, v); } break;
            case TensorDataType.Float64: foreach (var v in tensor.AsSpan<double>()) { WriteReal(writer, v); } break;
            case TensorDataType.Float16: foreach (var v in tensor.AsSpan<Half>()) { WriteReal(writer, (double)v); } break;
            case TensorDataType.BFloat16: foreach (var v in tensor.AsSpan<ushort>()) { WriteReal(writer, BitConverter.UInt32BitsToSingle((uint)v << 16)); } break;
            case TensorDataType.Int8: foreach (var v in tensor.AsSpan<sbyte>()) { writer.WriteNumberValue(v); } break;
            case TensorDataType.Int16: foreach (var v in tensor.AsSpan<short>()) { writer.WriteNumberValue(v); } break;
            case TensorDataType.Int32: foreach (var v in tensor.AsSpan<int>()) { writer.WriteNumberValue(v); } break;
            case TensorDataType.Int64: foreach (var v in tensor.AsSpan<long>()) { writer.WriteNumberValue(v); } break;
            case TensorDataType.UInt8: foreach (var v in tensor.AsSpan<byte>()) { writer.WriteNumberValue(v); } break;
            case TensorDataType.UInt16: foreach (var v in tensor.AsSpan<ushort>()) { writer.WriteNumberValue(v); } break;
            case TensorDataType.UInt32: foreach (var v in tensor.AsSpan<uint>()) { writer.WriteNumberValue(v); } break;
            case TensorDataType.UInt64: foreach (var v in tensor.AsSpan<ulong>()) { writer.WriteNumberValue(v); } break;
            case TensorDataType.Bool: foreach (var v in tensor.AsSpan<bool>()) { writer.WriteBooleanValue(v); } break;
            case TensorDataType.String: foreach (var v in tensor.AsSpan<string>()) { writer.WriteStringValue(v); } break;
            case TensorDataType.MapSequence: WriteMaps(writer, tensor); break;
            default: throw new InvalidOperationException($"No JSON form for {tensor.DataType}.");
        }
    }

    private static T[] Convert<T>(List<JsonElement> elements, string name, string datatype, Func<JsonElement, T> convert)
    {
        var values = new T[elements.Count];
        for (var i = 0; i < values.Length; i++)
        {
            try
            {
                values[i] = convert(elements[i]);
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
            {
                throw InferenceRequestReader.Bad(name, $"Input '{name}': element {i} ({Shown(elements[i])}) is not a valid {datatype} value.");
            }
        }

        return values;
    }

    private static double Real(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.String => element.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            _ => throw new FormatException(),
        },
        _ => throw new FormatException(),
    };

    private static bool Bool(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when element.TryGetInt32(out var n) && n is 0 or 1 => n == 1,
        _ => throw new FormatException(),
    };

    /// <summary>bfloat16 from float, rounded to nearest even as converters do.</summary>
    private static ushort BFloat16Bits(float value)
    {
        if (float.IsNaN(value))
        {
            return 0x7FC0;
        }

        var bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    private static void WriteReal(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteReal(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    /// <summary>Each row's map as a string holding a JSON object.</summary>
    private static void WriteMaps(Utf8JsonWriter writer, TensorValue tensor)
    {
        using var buffer = new MemoryStream();
        try
        {
            foreach (var map in tensor.AsMaps<string>())
            {
                writer.WriteStringValue(MapJson(buffer, map.Select(p => (p.Key, p.Value))));
            }
        }
        catch (InvalidOperationException)
        {
            foreach (var map in tensor.AsMaps<long>())
            {
                writer.WriteStringValue(MapJson(buffer, map.Select(p => (p.Key.ToString(CultureInfo.InvariantCulture), p.Value))));
            }
        }
    }

    private static string MapJson(MemoryStream buffer, IEnumerable<(string Key, float Value)> entries)
    {
        buffer.SetLength(0);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (key, value) in entries)
            {
                json.WritePropertyName(key);
                WriteReal(json, value);
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Shown(JsonElement element)
    {
        var text = element.GetRawText();
        return text.Length <= 40 ? text : text[..40] + "…";
    }
}
