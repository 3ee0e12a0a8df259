using System.Text;

namespace MlOps.Sdk.Serving.Hosting;

/// <summary>
/// Rewrites an ONNX model so that it computes only the outputs a host reads. ONNX Runtime runs every node that feeds a
/// graph output, whether or not the call asks for it; an ML.NET export declares a pass-through output per column
/// (<c>A.output</c>, <c>Label.output</c>, ...), so trimming them, the nodes only they need and the inputs nothing reads
/// makes each call cheaper. Works on the protobuf wire format: kept fields are copied byte for byte.
/// </summary>
/// <remarks>
/// Graphs with subgraphs (<c>If</c>, <c>Loop</c>, <c>Scan</c>) or sparse initializers may read values a node does not
/// list as inputs; for those only the outputs are trimmed and ONNX Runtime keeps every node.
/// </remarks>
internal static class OutputPruner
{
    private const int ModelGraph = 7;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int GraphInput = 11;
    private const int GraphOutput = 12;
    private const int GraphValueInfo = 13;
    private const int GraphSparseInitializer = 15;

    /// <summary>The names of the graph's declared outputs, in order.</summary>
    /// <exception cref="FormatException">The bytes are not a model this reader understands.</exception>
    public static IReadOnlyList<string> OutputNames(byte[] model)
    {
        var graph = Fields(model, 0, model.Length).FirstOrDefault(f => f.Number == ModelGraph);
        return graph.End == 0 ? [] : Fields(model, graph.ValueStart, graph.End).Where(f => f.Number == GraphOutput).Select(f => Name(model, f)).ToList();
    }

    /// <summary>The model computing only <paramref name="wanted"/>; the model itself when nothing can be trimmed.</summary>
    public static byte[] Prune(byte[] model, IReadOnlyCollection<string> wanted)
    {
        var top = Fields(model, 0, model.Length);
        var graphField = top.FirstOrDefault(f => f.Number == ModelGraph);
        if (graphField.End == 0)
        {
            return model;
        }

        var graph = Fields(model, graphField.ValueStart, graphField.End);
        if (graph.Where(f => f.Number == GraphOutput).All(f => wanted.Contains(Name(model, f))))
        {
            return model;
        }

        var keep = new HashSet<(int, int)>();
        var nodes = graph.Where(f => f.Number == GraphNode).Select(f => (Field: f, Node: ReadNode(model, f))).ToList();
        var conservative = nodes.Any(n => n.Node.HasSubgraph) || graph.Any(f => f.Number == GraphSparseInitializer);
        var needed = new HashSet<string>(wanted, StringComparer.Ordinal);
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            if (conservative || nodes[i].Node.Outputs.Any(needed.Contains))
            {
                keep.Add((nodes[i].Field.TagStart, nodes[i].Field.End));
                needed.UnionWith(nodes[i].Node.Inputs);
            }
        }

        var initializers = graph.Where(f => f.Number == GraphInitializer).Select(f => TensorName(model, f)).ToHashSet(StringComparer.Ordinal);
        using var rewritten = new MemoryStream();
        foreach (var field in graph)
        {
            var drop = field.Number switch
            {
                GraphNode => !keep.Contains((field.TagStart, field.End)),
                GraphInput => !conservative && !needed.Contains(Name(model, field)) && !initializers.Contains(Name(model, field)),
                GraphOutput => !wanted.Contains(Name(model, field)),
                GraphValueInfo => !conservative && !needed.Contains(Name(model, field)),
                GraphInitializer => !conservative && !needed.Contains(TensorName(model, field)),
                _ => false,
            };
            if (!drop)
            {
                rewritten.Write(model, field.TagStart, field.End - field.TagStart);
            }
        }

        using var result = new MemoryStream(model.Length);
        foreach (var field in top)
        {
            if (field.Number == ModelGraph)
            {
                WriteVarint(result, (ModelGraph << 3) | 2);
                WriteVarint(result, (ulong)rewritten.Length);
                rewritten.WriteTo(result);
            }
            else
            {
                result.Write(model, field.TagStart, field.End - field.TagStart);
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
                case 1:
                    inputs.Add(Text(model, field));
                    break;
                case 2:
                    outputs.Add(Text(model, field));
                    break;
                case 5:
                    // AttributeProto: g (6) is a graph, graphs (11) a list of them.
                    hasSubgraph |= Fields(model, field.ValueStart, field.End).Any(a => a.Number is 6 or 11);
                    break;
            }
        }

        return (inputs, outputs, hasSubgraph);
    }

    /// <summary>Field 1 of a ValueInfoProto.</summary>
    private static string Name(byte[] model, Field valueInfo) =>
        Fields(model, valueInfo.ValueStart, valueInfo.End).Where(f => f.Number == 1).Select(f => Text(model, f)).FirstOrDefault() ?? string.Empty;

    /// <summary>Field 8 of a TensorProto.</summary>
    private static string TensorName(byte[] model, Field tensor) =>
        Fields(model, tensor.ValueStart, tensor.End).Where(f => f.Number == 8).Select(f => Text(model, f)).FirstOrDefault() ?? string.Empty;

    private static string Text(byte[] model, Field field) => Encoding.UTF8.GetString(model, field.ValueStart, field.End - field.ValueStart);

    private static List<Field> Fields(byte[] data, int start, int end)
    {
        var fields = new List<Field>();
        var position = start;
        while (position < end)
        {
            var tagStart = position;
            var tag = ReadVarint(data, ref position, end);
            var number = (int)(tag >> 3);
            int valueStart;
            switch (tag & 7)
            {
                case 0:
                    valueStart = position;
                    ReadVarint(data, ref position, end);
                    break;
                case 1:
                    valueStart = position;
                    position += 8;
                    break;
                case 2:
                    var length = ReadVarint(data, ref position, end);
                    valueStart = position;
                    position = checked((int)(position + (long)length));
                    break;
                case 5:
                    valueStart = position;
                    position += 4;
                    break;
                default:
                    throw new FormatException($"Unsupported protobuf wire type {tag & 7} at byte {tagStart}.");
            }

            if (position > end || number == 0)
            {
                throw new FormatException($"Truncated or invalid protobuf field at byte {tagStart}.");
            }

            fields.Add(new Field(number, tagStart, valueStart, position));
        }

        return fields;
    }

    private static ulong ReadVarint(byte[] data, ref int position, int end)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= end)
            {
                throw new FormatException("Truncated varint.");
            }

            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new FormatException("Varint longer than 10 bytes.");
    }

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        stream.WriteByte((byte)value);
    }

    private readonly record struct Field(int Number, int TagStart, int ValueStart, int End);
}
