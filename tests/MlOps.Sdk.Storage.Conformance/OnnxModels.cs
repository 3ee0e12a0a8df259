using System.Text;

namespace MlOps.Sdk.Storage.Conformance;

/// <summary>
/// Writes small, valid ONNX models (an Identity graph, opset 13) in protobuf wire format, so that tests can register
/// models with exactly the inputs and outputs they need. ONNX Runtime loads them.
/// </summary>
public static class OnnxModels
{
    /// <summary>ONNX element type codes used by the tests.</summary>
    public const int Float = 1;

    /// <summary>ONNX element type code of int64.</summary>
    public const int Int64 = 7;

    /// <summary>
    /// A model whose output <c>Y</c> is its input <c>X</c>; dimensions are sizes or symbol names. Extra outputs copy
    /// <c>X</c> as well. An optional initializer named <c>W</c> is also listed as an input, as older exporters do.
    /// </summary>
    public static byte[] Identity(int elementType, object[] dims, string[]? extraOutputs = null, bool initializerAsInput = false)
    {
        var graph = new List<byte>();
        Field(graph, 1, Node("X", "Y"));
        foreach (var output in extraOutputs ?? [])
        {
            Field(graph, 1, Node("X", output));
        }

        Field(graph, 2, Encoding.UTF8.GetBytes("identity"));
        if (initializerAsInput)
        {
            var tensor = new List<byte>();
            Varint(tensor, 1, 1);
            Varint(tensor, 2, Float);
            Field(tensor, 8, Encoding.UTF8.GetBytes("W"));
            Field(tensor, 9, new byte[4]);
            Field(graph, 5, tensor.ToArray());
            Field(graph, 11, ValueInfo("W", Float, [1]));
        }

        Field(graph, 11, ValueInfo("X", elementType, dims));
        Field(graph, 12, ValueInfo("Y", elementType, dims));
        foreach (var output in extraOutputs ?? [])
        {
            Field(graph, 12, ValueInfo(output, elementType, dims));
        }

        return Model(graph);
    }

    /// <summary>A model computing <c>Y = X + c</c> (float, shape [batch, width]): its results say which model made them.</summary>
    public static byte[] AddConstant(float c, int width)
    {
        var graph = new List<byte>();
        var node = new List<byte>();
        Field(node, 1, Encoding.UTF8.GetBytes("X"));
        Field(node, 1, Encoding.UTF8.GetBytes("C"));
        Field(node, 2, Encoding.UTF8.GetBytes("Y"));
        Field(node, 4, Encoding.UTF8.GetBytes("Add"));
        Field(graph, 1, node.ToArray());
        Field(graph, 2, Encoding.UTF8.GetBytes("add-constant"));
        var tensor = new List<byte>();
        Varint(tensor, 1, 1);
        Varint(tensor, 2, Float);
        Field(tensor, 8, Encoding.UTF8.GetBytes("C"));
        Field(tensor, 9, BitConverter.GetBytes(c));
        Field(graph, 5, tensor.ToArray());
        Field(graph, 11, ValueInfo("X", Float, ["batch", width]));
        Field(graph, 12, ValueInfo("Y", Float, ["batch", width]));
        return Model(graph);
    }

    /// <summary>
    /// A small multi-layer perceptron: input <c>X</c> [batch, <paramref name="features"/>], Gemm + Relu per hidden layer,
    /// then Gemm + Sigmoid to output <c>Y</c> [batch, 1]. Weights are drawn from <paramref name="seed"/>.
    /// </summary>
    public static byte[] Mlp(int features, int[] hidden, int seed = 1)
    {
        var random = new Random(seed);
        var graph = new List<byte>();
        var previous = "X";
        var width = features;
        var layers = hidden.Append(1).ToArray();
        for (var i = 0; i < layers.Length; i++)
        {
            var last = i == layers.Length - 1;
            var weights = Enumerable.Range(0, width * layers[i]).Select(_ => (float)((random.NextDouble() - 0.5) * 2 / Math.Sqrt(width))).ToArray();
            var bias = Enumerable.Range(0, layers[i]).Select(_ => (float)((random.NextDouble() - 0.5) * 0.1)).ToArray();
            Field(graph, 5, FloatTensor($"W{i}", [width, layers[i]], weights));
            Field(graph, 5, FloatTensor($"B{i}", [layers[i]], bias));
            Field(graph, 1, Operator("Gemm", [previous, $"W{i}", $"B{i}"], $"H{i}"));
            Field(graph, 1, Operator(last ? "Sigmoid" : "Relu", [$"H{i}"], last ? "Y" : $"A{i}"));
            previous = $"A{i}";
            width = layers[i];
        }

        Field(graph, 2, Encoding.UTF8.GetBytes("mlp"));
        Field(graph, 11, ValueInfo("X", Float, ["batch", features]));
        Field(graph, 12, ValueInfo("Y", Float, ["batch", 1]));
        return Model(graph);
    }

    /// <summary>
    /// A model that loads and declares <c>Y</c> [batch, 1] from <c>X</c> [batch, 1] but fails on every run: it gathers
    /// index 5 of a dimension of size 1. Warm-up must catch it.
    /// </summary>
    public static byte[] FailsOnRun()
    {
        var graph = new List<byte>();
        var indices = new List<byte>();
        Varint(indices, 1, 1);
        Varint(indices, 2, Int64);
        Field(indices, 8, Encoding.UTF8.GetBytes("I"));
        Field(indices, 9, BitConverter.GetBytes(5L));
        Field(graph, 5, indices.ToArray());
        var node = Operator("Gather", ["X", "I"], "Y");
        var attribute = new List<byte>();
        Field(attribute, 1, Encoding.UTF8.GetBytes("axis"));
        Varint(attribute, 3, 1);
        Varint(attribute, 20, 2);
        var withAxis = new List<byte>(node);
        Field(withAxis, 5, attribute.ToArray());
        Field(graph, 1, withAxis.ToArray());
        Field(graph, 2, Encoding.UTF8.GetBytes("fails-on-run"));
        Field(graph, 11, ValueInfo("X", Float, ["batch", 1]));
        Field(graph, 12, ValueInfo("Y", Float, ["batch", 1]));
        return Model(graph);
    }

    private static byte[] Operator(string type, string[] inputs, string output)
    {
        var node = new List<byte>();
        foreach (var input in inputs)
        {
            Field(node, 1, Encoding.UTF8.GetBytes(input));
        }

        Field(node, 2, Encoding.UTF8.GetBytes(output));
        Field(node, 4, Encoding.UTF8.GetBytes(type));
        return node.ToArray();
    }

    private static byte[] FloatTensor(string name, long[] dims, float[] values)
    {
        var tensor = new List<byte>();
        foreach (var dim in dims)
        {
            Varint(tensor, 1, (ulong)dim);
        }

        Varint(tensor, 2, Float);
        Field(tensor, 8, Encoding.UTF8.GetBytes(name));
        Field(tensor, 9, values.SelectMany(BitConverter.GetBytes).ToArray());
        return tensor.ToArray();
    }

    private static byte[] Model(List<byte> graph)
    {
        var opset = new List<byte>();
        Field(opset, 1, []);
        Varint(opset, 2, 13);
        var model = new List<byte>();
        Varint(model, 1, 8);
        Field(model, 2, Encoding.UTF8.GetBytes("mlops-tests"));
        Field(model, 7, graph.ToArray());
        Field(model, 8, opset.ToArray());
        return model.ToArray();
    }

    private static byte[] Node(string input, string output)
    {
        var node = new List<byte>();
        Field(node, 1, Encoding.UTF8.GetBytes(input));
        Field(node, 2, Encoding.UTF8.GetBytes(output));
        Field(node, 4, Encoding.UTF8.GetBytes("Identity"));
        return node.ToArray();
    }

    private static byte[] ValueInfo(string name, int elementType, object[] dims)
    {
        var shape = new List<byte>();
        foreach (var dim in dims)
        {
            var d = new List<byte>();
            if (dim is string symbol)
            {
                Field(d, 2, Encoding.UTF8.GetBytes(symbol));
            }
            else
            {
                Varint(d, 1, Convert.ToUInt64(dim, System.Globalization.CultureInfo.InvariantCulture));
            }

            Field(shape, 1, d.ToArray());
        }

        var tensorType = new List<byte>();
        Varint(tensorType, 1, (ulong)elementType);
        Field(tensorType, 2, shape.ToArray());
        var type = new List<byte>();
        Field(type, 1, tensorType.ToArray());
        var info = new List<byte>();
        Field(info, 1, Encoding.UTF8.GetBytes(name));
        Field(info, 2, type.ToArray());
        return info.ToArray();
    }

    private static void Field(List<byte> buffer, int field, byte[] bytes)
    {
        WriteVarint(buffer, ((ulong)field << 3) | 2);
        WriteVarint(buffer, (ulong)bytes.Length);
        buffer.AddRange(bytes);
    }

    private static void Varint(List<byte> buffer, int field, ulong value)
    {
        WriteVarint(buffer, (ulong)field << 3);
        WriteVarint(buffer, value);
    }

    private static void WriteVarint(List<byte> buffer, ulong value)
    {
        while (value >= 0x80)
        {
            buffer.Add((byte)(value | 0x80));
            value >>= 7;
        }

        buffer.Add((byte)value);
    }
}
