using MlOps.Sdk.Onnx;
using MlOps.Sdk.Versioning.Onnx;
using WireType = Google.Protobuf.WireFormat.WireType;

namespace MlOps.Sdk.Serving.Hosting;

/// <summary>
/// Rewrites an ONNX model so that it computes only the outputs a host reads. ONNX Runtime runs every node that feeds a
/// graph output, whether or not the call asks for it; an ML.NET export declares a pass-through output per column
/// (<c>A.output</c>, <c>Label.output</c>, ...), so trimming them, the nodes only they need and the inputs nothing reads
/// makes each call cheaper. Works on the protobuf wire format through the shared ONNX reader and writer: kept fields are copied byte for byte.
/// </summary>
/// <remarks>
/// Graphs with subgraphs (<c>If</c>, <c>Loop</c>, <c>Scan</c>) or sparse initializers may read values a node does not
/// list as inputs; for those only the outputs are trimmed and ONNX Runtime keeps every node.
/// </remarks>
internal static class OutputPruner
{
    /// <summary>The names of the graph's declared outputs, in order.</summary>
    /// <exception cref="OnnxFormatException">The bytes are not a model this reader understands.</exception>
    public static IReadOnlyList<string> OutputNames(byte[] model)
    {
        var graph = Fields(model, 0, model.Length).FirstOrDefault(f => f.Number == OnnxField.ModelGraph);
        return graph.End == 0 ? [] : Fields(model, graph.ValueStart, graph.End).Where(f => f.Number == OnnxField.GraphOutput).Select(f => Name(model, f)).ToList();
    }

    /// <summary>The model computing only <paramref name="wanted"/>; the model itself when nothing can be trimmed.</summary>
    /// <exception cref="OnnxFormatException">The bytes are not a model this reader understands.</exception>
    public static byte[] Prune(byte[] model, IReadOnlyCollection<string> wanted)
    {
        var top = Fields(model, 0, model.Length);
        var graphField = top.FirstOrDefault(f => f.Number == OnnxField.ModelGraph);
        if (graphField.End == 0)
        {
            return model;
        }

        var graph = Fields(model, graphField.ValueStart, graphField.End);
        if (graph.Where(f => f.Number == OnnxField.GraphOutput).All(f => wanted.Contains(Name(model, f))))
        {
            return model;
        }

        var keep = new HashSet<(int, int)>();
        var nodes = graph.Where(f => f.Number == OnnxField.GraphNode).Select(f => (Field: f, Node: ReadNode(model, f))).ToList();
        var conservative = nodes.Any(n => n.Node.HasSubgraph) || graph.Any(f => f.Number == OnnxField.GraphSparseInitializer);
        var needed = new HashSet<string>(wanted, StringComparer.Ordinal);
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            if (conservative || nodes[i].Node.Outputs.Any(needed.Contains))
            {
                keep.Add((nodes[i].Field.TagStart, nodes[i].Field.End));
                needed.UnionWith(nodes[i].Node.Inputs);
            }
        }

        var initializers = graph.Where(f => f.Number == OnnxField.GraphInitializer).Select(f => TensorName(model, f)).ToHashSet(StringComparer.Ordinal);
        var rewritten = new OnnxWriter();
        foreach (var field in graph)
        {
            var drop = field.Number switch
            {
                OnnxField.GraphNode => !keep.Contains((field.TagStart, field.End)),
                OnnxField.GraphInput => !conservative && !needed.Contains(Name(model, field)) && !initializers.Contains(Name(model, field)),
                OnnxField.GraphOutput => !wanted.Contains(Name(model, field)),
                OnnxField.GraphValueInfo => !conservative && !needed.Contains(Name(model, field)),
                OnnxField.GraphInitializer => !conservative && !needed.Contains(TensorName(model, field)),
                _ => false,
            };
            if (!drop)
            {
                rewritten.Encoded(model.AsSpan(field.TagStart, field.End - field.TagStart));
            }
        }

        var result = new OnnxWriter();
        foreach (var field in top)
        {
            if (field.Number == OnnxField.ModelGraph)
            {
                result.Message(OnnxField.ModelGraph, rewritten);
            }
            else
            {
                result.Encoded(model.AsSpan(field.TagStart, field.End - field.TagStart));
            }
        }

        return result.ToArray();
    }

    private static (List<string> Inputs, List<string> Outputs, bool HasSubgraph) ReadNode(byte[] model, Field node)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        var hasSubgraph = false;
        foreach (var field in Fields(model, node.ValueStart, node.End))
        {
            switch (field.Number)
            {
                case OnnxField.NodeInput:
                    inputs.Add(Text(model, field));
                    break;
                case OnnxField.NodeOutput:
                    outputs.Add(Text(model, field));
                    break;
                case OnnxField.NodeAttribute:
                    hasSubgraph |= Fields(model, field.ValueStart, field.End).Any(a => a.Number is OnnxField.AttributeGraph or OnnxField.AttributeGraphs);
                    break;
            }
        }

        return (inputs, outputs, hasSubgraph);
    }

    private static string Name(byte[] model, Field valueInfo) => FirstText(model, valueInfo, OnnxField.ValueInfoName);

    private static string TensorName(byte[] model, Field tensor) => FirstText(model, tensor, OnnxField.TensorName);

    private static string FirstText(byte[] model, Field message, int number) =>
        Fields(model, message.ValueStart, message.End).Where(f => f.Number == number).Select(f => Text(model, f)).FirstOrDefault() ?? string.Empty;

    private static string Text(byte[] model, Field field) => System.Text.Encoding.UTF8.GetString(model, field.ValueStart, field.End - field.ValueStart);

    /// <summary>The fields of the message in <paramref name="model"/>[<paramref name="start"/>..<paramref name="end"/>], with where each starts and ends.</summary>
    private static List<Field> Fields(byte[] model, int start, int end)
    {
        var fields = new List<Field>();
        var reader = new OnnxReader(model, start, end);
        var tagStart = (int)reader.Position;
        while (reader.Next(end, out var number, out var wire))
        {
            var afterTag = (int)reader.Position;
            reader.Skip(end);
            var valueStart = wire == WireType.LengthDelimited ? afterTag + LengthPrefixSize(model, afterTag) : afterTag;
            fields.Add(new Field(number, tagStart, valueStart, (int)reader.Position));
            tagStart = (int)reader.Position;
        }

        return fields;
    }

    /// <summary>The bytes of the varint at <paramref name="position"/>, which the reader has already read in full.</summary>
    private static int LengthPrefixSize(byte[] model, int position)
    {
        var size = 1;
        while ((model[position + size - 1] & 0x80) != 0)
        {
            size++;
        }

        return size;
    }

    private readonly record struct Field(int Number, int TagStart, int ValueStart, int End);
}
