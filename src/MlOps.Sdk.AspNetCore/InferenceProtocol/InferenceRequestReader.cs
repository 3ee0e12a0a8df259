using System.Text.Json;
using MlOps.Sdk.AspNetCore.Http;
using MlOps.Sdk.Serving;

namespace MlOps.Sdk.AspNetCore.InferenceProtocol;

/// <summary>An inference request: its id, its inputs as named tensors, and the outputs asked for (null: all).</summary>
internal sealed record InferenceRequest(string? Id, NamedTensors Inputs, IReadOnlyList<string>? Outputs);

/// <summary>
/// Reads <c>$inference_request</c> (Open Inference Protocol, REST): every input's name, shape, datatype and data, the
/// data flat or nested, each element checked against its datatype's range. A fault is answered 400 naming the input.
/// </summary>
internal static class InferenceRequestReader
{
    /// <summary>The most elements of one request, whatever the body limit: a shape cannot make the server allocate more.</summary>
    public const long MaxElements = 1 << 24;

    public static InferenceRequest Read(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new RequestException(Problem.From(e, 0)!);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad("$", "An inference request is a JSON object.");
            }

            string? id = null;
            if (root.TryGetProperty("id", out var idElement))
            {
                id = idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : throw Bad("$.id", "'id' is a string.");
            }

            if (root.TryGetProperty("parameters", out var parameters) && parameters.ValueKind != JsonValueKind.Object)
            {
                throw Bad("$.parameters", "'parameters' is an object.");
            }

            if (!root.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array || inputs.GetArrayLength() == 0)
            {
                throw Bad("$.inputs", "'inputs' is a non-empty array of tensors.");
            }

            var tensors = new NamedTensors();
            var index = 0;
            long total = 0;
            foreach (var input in inputs.EnumerateArray())
            {
                var (name, tensor) = ReadInput(input, $"$.inputs[{index++}]", ref total);
                if (tensors.ContainsKey(name))
                {
                    throw Bad(name, $"Input '{name}' is given twice.");
                }

                tensors.Add(name, tensor);
            }

            return new InferenceRequest(id, tensors, ReadOutputs(root));
        }
    }

    private static List<string>? ReadOutputs(JsonElement root)
    {
        if (!root.TryGetProperty("outputs", out var outputs))
        {
            return null;
        }

        if (outputs.ValueKind != JsonValueKind.Array)
        {
            throw Bad("$.outputs", "'outputs' is an array of {\"name\": ...} objects.");
        }

        var names = new List<string>();
        var index = 0;
        foreach (var output in outputs.EnumerateArray())
        {
            names.Add(output.ValueKind == JsonValueKind.Object && output.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                ? name.GetString()!
                : throw Bad($"$.outputs[{index}]", "Each requested output is an object with a string 'name'."));
            index++;
        }

        return names;
    }

    private static (string Name, TensorValue Tensor) ReadInput(JsonElement input, string path, ref long total)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            throw Bad(path, "Each input is an object with 'name', 'shape', 'datatype' and 'data'.");
        }

        var name = input.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() is { Length: > 0 } s
            ? s
            : throw Bad($"{path}.name", "Each input needs a non-empty string 'name'.");
        if (!input.TryGetProperty("datatype", out var d) || d.ValueKind != JsonValueKind.String || !OipDataTypes.TryParse(d.GetString()!, out var type))
        {
            throw Bad(name, $"Input '{name}' needs a 'datatype', one of {string.Join(", ", OipDataTypes.Names)}.");
        }

        var shape = ReadShape(input, name);
        long count = 1;
        foreach (var length in shape)
        {
            count = length == 0 ? 0 : count > MaxElements / length ? MaxElements + 1 : count * length;
        }

        total += count;
        if (count > MaxElements || total > MaxElements)
        {
            throw Bad(name, $"Input '{name}' has more elements than a request may carry ({MaxElements}).");
        }

        if (input.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("binary_data_size", out _))
        {
            throw Bad(name, $"Input '{name}' uses the binary tensor data extension, which this server does not support; send the data as JSON.");
        }

        if (!input.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            throw Bad(name, $"Input '{name}' needs 'data', a JSON array.");
        }

        var elements = new List<JsonElement>((int)Math.Min(count, 1 << 16));
        Flatten(data, elements, name, count);
        if (elements.Count != count)
        {
            throw Bad(name, $"Input '{name}' has shape [{string.Join(",", shape)}], which holds {count} elements, but its data has {elements.Count}.");
        }

        return (name, TensorElements.Create(type, elements, shape, name));
    }

    private static long[] ReadShape(JsonElement input, string name)
    {
        if (!input.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array)
        {
            throw Bad(name, $"Input '{name}' needs a 'shape', an array of dimensions.");
        }

        var dims = new long[shape.GetArrayLength()];
        var i = 0;
        foreach (var dim in shape.EnumerateArray())
        {
            dims[i++] = dim.ValueKind == JsonValueKind.Number && dim.TryGetInt64(out var length) && length >= 0
                ? length
                : throw Bad(name, $"Input '{name}' has a dimension that is not a non-negative integer.");
        }

        return dims;
    }

    private static void Flatten(JsonElement data, List<JsonElement> into, string name, long limit)
    {
        foreach (var element in data.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                Flatten(element, into, name, limit);
            }
            else if (into.Count > limit)
            {
                throw Bad(name, $"Input '{name}' has more data than its shape holds ({limit} elements).");
            }
            else
            {
                into.Add(element);
            }
        }
    }

    public static RequestException Bad(string field, string detail) => RequestException.BadRequest("The inference request is not valid", detail, field);
}
