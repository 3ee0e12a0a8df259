using System.Text;
using System.Text.Json;
using MlOps.Sdk.Serving.Mapping;

namespace MlOps.Sdk.Serving.Tests.Conformance;

/// <summary>One input case of a model of the conformance set (tools/conformance), with what was recorded for it.</summary>
/// <param name="Model">The model's folder name.</param>
/// <param name="Index">The case number (<c>test_data_set_{Index}</c>).</param>
/// <param name="ModelPath">The <c>model.onnx</c> file.</param>
/// <param name="Inputs">The inputs, by name.</param>
/// <param name="RuntimeOutputs">ONNX Runtime's outputs, as tools/conformance/Record wrote them (empty before it ran).</param>
/// <param name="ExporterOutputs">What the exporter's framework computed, in output order (PyTorch exports only).</param>
public sealed record ConformanceCase(string Model, int Index, string ModelPath, NamedTensors Inputs, NamedTensors RuntimeOutputs, IReadOnlyList<TensorValue> ExporterOutputs)
{
    /// <summary>
    /// How close ONNX Runtime comes to the exporter's framework, relative: float16 weights and activations round to 3
    /// significant digits, 8-bit quantization to about 1% of the range; float32 kernels differ in summation order.
    /// </summary>
    public double ExporterTolerance => Model switch
    {
        "mlp_fp16" => 1e-2,
        "quantized" or "quantized_static" => 5e-2,
        _ => 1e-4,
    };

    public override string ToString() => $"{Model}/{Index}";
}

/// <summary>Reads and writes the conformance set: ONNX TensorProto inputs, JSON outputs.</summary>
public static class ConformanceSet
{
    public const string RuntimeOutputsFile = "runtime_outputs.json";

    /// <summary>The set committed beside the tests.</summary>
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Conformance");

    public static IEnumerable<ConformanceCase> Load(string root) =>
        Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal).SelectMany(model =>
            Directory.EnumerateDirectories(model, "test_data_set_*").Order(StringComparer.Ordinal).Select(dir =>
            {
                var inputs = new NamedTensors();
                foreach (var file in Directory.EnumerateFiles(dir, "input_*.pb").Order(StringComparer.Ordinal))
                {
                    var (name, value) = ReadTensor(File.ReadAllBytes(file));
                    inputs.Add(name, value);
                }

                var recorded = Path.Combine(dir, RuntimeOutputsFile);
                return new ConformanceCase(
                    Path.GetFileName(model),
                    int.Parse(Path.GetFileName(dir)["test_data_set_".Length..], System.Globalization.CultureInfo.InvariantCulture),
                    Path.Combine(model, "model.onnx"),
                    inputs,
                    File.Exists(recorded) ? ReadOutputs(File.ReadAllText(recorded)) : new NamedTensors(),
                    Directory.EnumerateFiles(dir, "exporter_output_*.pb").Order(StringComparer.Ordinal).Select(f => ReadTensor(File.ReadAllBytes(f)).Value).ToList());
            }));

    /// <summary>An ONNX <c>TensorProto</c>, read by the serving layer's reader (the one input examples use).</summary>
    public static (string Name, TensorValue Value) ReadTensor(byte[] bytes) => TensorProtos.ReadTensor(bytes);

    /// <summary>An ONNX <c>TensorProto</c> of a tensor, written by the serving layer's writer.</summary>
    public static byte[] WriteTensor(string name, TensorValue value) => TensorProtos.WriteTensor(name, value);

    /// <summary>Outputs as JSON: per output its data type, shape and values (bfloat16 as its bits, float16 as float).</summary>
    public static string WriteOutputs(NamedTensors outputs)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            foreach (var (name, value) in outputs)
            {
                json.WriteStartObject(name);
                json.WriteString("type", value.DataType.ToString());
                json.WriteStartArray("shape");
                foreach (var d in value.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("values");
                WriteValues(json, value);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteValues(Utf8JsonWriter json, TensorValue value)
    {
        switch (value.DataType)
        {
            case TensorDataType.Float32: foreach (var v in value.AsSpan<float>()) { json.WriteNumberValue(v); } break;
            case TensorDataType.Float64: foreach (var v in value.AsSpan<double>()) { json.WriteNumberValue(v); } break;
            case TensorDataType.Float16: foreach (var v in value.AsSpan<Half>()) { json.WriteNumberValue((float)v); } break;
            case TensorDataType.BFloat16 or TensorDataType.UInt16: foreach (var v in value.AsSpan<ushort>()) { json.WriteNumberValue(v); } break;
            case TensorDataType.Int8: foreach (var v in value.AsSpan<sbyte>()) { json.WriteNumberValue(v); } break;
            case TensorDataType.Int16: foreach (var v in value.AsSpan<short>()) { json.WriteNumberValue(v); } break;
            case TensorDataType.Int32: foreach (var v in value.AsSpan<int>()) { json.WriteNumberValue(v); } break;
            case TensorDataType.Int64: foreach (var v in value.AsSpan<long>()) { json.WriteNumberValue(v); } break;
            case TensorDataType.UInt8: foreach (var v in value.AsSpan<byte>()) { json.WriteNumberValue(v); } break;
            case TensorDataType.UInt32: foreach (var v in value.AsSpan<uint>()) { json.WriteNumberValue(v); } break;
            case TensorDataType.UInt64: foreach (var v in value.AsSpan<ulong>()) { json.WriteNumberValue(v); } break;
            case TensorDataType.Bool: foreach (var v in value.AsSpan<bool>()) { json.WriteBooleanValue(v); } break;
            case TensorDataType.String: foreach (var v in value.AsSpan<string>()) { json.WriteStringValue(v); } break;
            case TensorDataType.MapSequence:
                IEnumerable<IEnumerable<KeyValuePair<string, float>>> maps = TryMaps<long>(value) is { } byLong
                    ? byLong.Select(m => m.Select(p => KeyValuePair.Create("#" + p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Value)))
                    : value.AsMaps<string>().Select(m => m.AsEnumerable());
                foreach (var map in maps)
                {
                    json.WriteStartObject();
                    foreach (var (key, score) in map)
                    {
                        json.WriteNumber(key, score);
                    }

                    json.WriteEndObject();
                }

                break;
        }
    }

    private static IReadOnlyList<IReadOnlyDictionary<TKey, float>>? TryMaps<TKey>(TensorValue value)
        where TKey : notnull
    {
        try
        {
            return value.AsMaps<TKey>();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Reads what <see cref="WriteOutputs"/> wrote.</summary>
    public static NamedTensors ReadOutputs(string text)
    {
        var outputs = new NamedTensors();
        using var document = JsonDocument.Parse(text);
        foreach (var output in document.RootElement.EnumerateObject())
        {
            var type = Enum.Parse<TensorDataType>(output.Value.GetProperty("type").GetString()!);
            var shape = output.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var values = output.Value.GetProperty("values").EnumerateArray().ToArray();
            outputs.Add(output.Name, type switch
            {
                TensorDataType.Float32 => TensorValue.Create(values.Select(v => v.GetSingle()).ToArray(), shape),
                TensorDataType.Float64 => TensorValue.Create(values.Select(v => v.GetDouble()).ToArray(), shape),
                TensorDataType.Float16 => TensorValue.Create(values.Select(v => (Half)v.GetSingle()).ToArray(), shape),
                TensorDataType.BFloat16 => TensorValue.FromBFloat16Bits(values.Select(v => v.GetUInt16()).ToArray(), shape),
                TensorDataType.UInt16 => TensorValue.Create(values.Select(v => v.GetUInt16()).ToArray(), shape),
                TensorDataType.Int8 => TensorValue.Create(values.Select(v => v.GetSByte()).ToArray(), shape),
                TensorDataType.Int16 => TensorValue.Create(values.Select(v => v.GetInt16()).ToArray(), shape),
                TensorDataType.Int32 => TensorValue.Create(values.Select(v => v.GetInt32()).ToArray(), shape),
                TensorDataType.Int64 => TensorValue.Create(values.Select(v => v.GetInt64()).ToArray(), shape),
                TensorDataType.UInt8 => TensorValue.Create(values.Select(v => v.GetByte()).ToArray(), shape),
                TensorDataType.UInt32 => TensorValue.Create(values.Select(v => v.GetUInt32()).ToArray(), shape),
                TensorDataType.UInt64 => TensorValue.Create(values.Select(v => v.GetUInt64()).ToArray(), shape),
                TensorDataType.Bool => TensorValue.Create(values.Select(v => v.GetBoolean()).ToArray(), shape),
                TensorDataType.String => TensorValue.Create(values.Select(v => v.GetString()!).ToArray(), shape),
                _ => values.All(m => m.EnumerateObject().All(p => p.Name.StartsWith('#')))
                    ? TensorValue.CreateMaps(values.Select(m => (IReadOnlyDictionary<long, float>)m.EnumerateObject().ToDictionary(p => long.Parse(p.Name[1..], System.Globalization.CultureInfo.InvariantCulture), p => p.Value.GetSingle())).ToArray())
                    : TensorValue.CreateMaps(values.Select(m => (IReadOnlyDictionary<string, float>)m.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetSingle())).ToArray()),
            });
        }

        return outputs;
    }
}
