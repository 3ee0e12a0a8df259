using System.Globalization;
using MlOps.Sdk.Onnx;

namespace MlOps.Sdk.Storage.Conformance;

/// <summary>
/// Writes small, valid ONNX models (opset 13) with the SDK's own ONNX writer, so that tests can register models with
/// exactly the inputs and outputs they need. ONNX Runtime loads them.
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
        var graph = new OnnxWriter().Message(OnnxField.GraphNode, Operator("Identity", ["X"], "Y"));
        foreach (var output in extraOutputs ?? [])
        {
            graph.Message(OnnxField.GraphNode, Operator("Identity", ["X"], output));
        }

        graph.Text(OnnxField.GraphName, "identity");
        if (initializerAsInput)
        {
            graph.Message(OnnxField.GraphInitializer, FloatTensor("W", [1], [0f]));
            graph.Message(OnnxField.GraphInput, ValueInfo("W", Float, [1]));
        }

        graph.Message(OnnxField.GraphInput, ValueInfo("X", elementType, dims));
        graph.Message(OnnxField.GraphOutput, ValueInfo("Y", elementType, dims));
        foreach (var output in extraOutputs ?? [])
        {
            graph.Message(OnnxField.GraphOutput, ValueInfo(output, elementType, dims));
        }

        return Model(graph);
    }

    /// <summary>A model computing <c>Y = X + c</c> (float, shape [batch, width]): its results say which model made them.</summary>
    public static byte[] AddConstant(float c, int width)
    {
        var graph = new OnnxWriter()
            .Message(OnnxField.GraphNode, Operator("Add", ["X", "C"], "Y"))
            .Text(OnnxField.GraphName, "add-constant")
            .Message(OnnxField.GraphInitializer, FloatTensor("C", [1], [c]))
            .Message(OnnxField.GraphInput, ValueInfo("X", Float, ["batch", width]))
            .Message(OnnxField.GraphOutput, ValueInfo("Y", Float, ["batch", width]));
        return Model(graph);
    }

    /// <summary>
    /// A model computing <c>Y = Expand(X, S)</c>: <c>X</c> float [batch, <paramref name="width"/>], <c>S</c> the int64
    /// shape [2] to broadcast it to. A real shape, such as [1, width], serves; zeros are no valid shape, so a warm-up on
    /// zeros fails, as it does for Resize scales or TopK's k.
    /// </summary>
    public static byte[] ExpandTo(int width)
    {
        var graph = new OnnxWriter()
            .Message(OnnxField.GraphNode, Operator("Expand", ["X", "S"], "Y"))
            .Text(OnnxField.GraphName, "expand")
            .Message(OnnxField.GraphInput, ValueInfo("X", Float, ["batch", width]))
            .Message(OnnxField.GraphInput, ValueInfo("S", Int64, [2]))
            .Message(OnnxField.GraphOutput, ValueInfo("Y", Float, ["batch", width]));
        return Model(graph);
    }

    /// <summary>
    /// A small multi-layer perceptron: input <c>X</c> [batch, <paramref name="features"/>], Gemm + Relu per hidden layer,
    /// then Gemm + Sigmoid to output <c>Y</c> [batch, 1]. Weights are drawn from <paramref name="seed"/>.
    /// </summary>
    public static byte[] Mlp(int features, int[] hidden, int seed = 1)
    {
        var random = new Random(seed);
        var graph = new OnnxWriter();
        var previous = "X";
        var width = features;
        var layers = hidden.Append(1).ToArray();
        for (var i = 0; i < layers.Length; i++)
        {
            var last = i == layers.Length - 1;
            var weights = Enumerable.Range(0, width * layers[i]).Select(_ => (float)((random.NextDouble() - 0.5) * 2 / Math.Sqrt(width))).ToArray();
            var bias = Enumerable.Range(0, layers[i]).Select(_ => (float)((random.NextDouble() - 0.5) * 0.1)).ToArray();
            graph.Message(OnnxField.GraphInitializer, FloatTensor($"W{i}", [width, layers[i]], weights));
            graph.Message(OnnxField.GraphInitializer, FloatTensor($"B{i}", [layers[i]], bias));
            graph.Message(OnnxField.GraphNode, Operator("Gemm", [previous, $"W{i}", $"B{i}"], $"H{i}"));
            graph.Message(OnnxField.GraphNode, Operator(last ? "Sigmoid" : "Relu", [$"H{i}"], last ? "Y" : $"A{i}"));
            previous = $"A{i}";
            width = layers[i];
        }

        graph.Text(OnnxField.GraphName, "mlp")
            .Message(OnnxField.GraphInput, ValueInfo("X", Float, ["batch", features]))
            .Message(OnnxField.GraphOutput, ValueInfo("Y", Float, ["batch", 1]));
        return Model(graph);
    }

    /// <summary>
    /// A model that loads and declares <c>Y</c> [batch, 1] from <c>X</c> [batch, 1] but fails on every run: it gathers
    /// index 5 of a dimension of size 1. Warm-up must catch it.
    /// </summary>
    public static byte[] FailsOnRun()
    {
        var indices = new OnnxWriter()
            .Varint(OnnxField.TensorDims, 1)
            .Varint(OnnxField.TensorDataType, Int64)
            .Text(OnnxField.TensorName, "I")
            .Bytes(OnnxField.TensorRawData, BitConverter.GetBytes(5L));
        var axis = new OnnxWriter()
            .Text(OnnxField.AttributeName, "axis")
            .Varint(OnnxField.AttributeInt, 1)
            .Varint(OnnxField.AttributeType, 2);
        var graph = new OnnxWriter()
            .Message(OnnxField.GraphInitializer, indices)
            .Message(OnnxField.GraphNode, Operator("Gather", ["X", "I"], "Y").Message(OnnxField.NodeAttribute, axis))
            .Text(OnnxField.GraphName, "fails-on-run")
            .Message(OnnxField.GraphInput, ValueInfo("X", Float, ["batch", 1]))
            .Message(OnnxField.GraphOutput, ValueInfo("Y", Float, ["batch", 1]));
        return Model(graph);
    }

    private static OnnxWriter Operator(string type, string[] inputs, string output)
    {
        var node = new OnnxWriter();
        foreach (var input in inputs)
        {
            node.Text(OnnxField.NodeInput, input);
        }

        return node.Text(OnnxField.NodeOutput, output).Text(OnnxField.NodeOpType, type);
    }

    private static OnnxWriter FloatTensor(string name, long[] dims, float[] values)
    {
        var tensor = new OnnxWriter();
        foreach (var dim in dims)
        {
            tensor.Varint(OnnxField.TensorDims, (ulong)dim);
        }

        return tensor.Varint(OnnxField.TensorDataType, Float)
            .Text(OnnxField.TensorName, name)
            .Bytes(OnnxField.TensorRawData, values.SelectMany(BitConverter.GetBytes).ToArray());
    }

    private static byte[] Model(OnnxWriter graph) => new OnnxWriter()
        .Varint(OnnxField.ModelIrVersion, 8)
        .Text(OnnxField.ModelProducerName, "mlops-tests")
        .Message(OnnxField.ModelGraph, graph)
        .Message(OnnxField.ModelOpsetImport, new OnnxWriter().Text(OnnxField.OpsetDomain, string.Empty).Varint(OnnxField.OpsetVersion, 13))
        .ToArray();

    private static OnnxWriter ValueInfo(string name, int elementType, object[] dims)
    {
        var shape = new OnnxWriter();
        foreach (var dim in dims)
        {
            var dimension = dim is string symbol
                ? new OnnxWriter().Text(OnnxField.DimensionParam, symbol)
                : new OnnxWriter().Varint(OnnxField.DimensionValue, Convert.ToUInt64(dim, CultureInfo.InvariantCulture));
            shape.Message(OnnxField.ShapeDimension, dimension);
        }

        var tensorType = new OnnxWriter().Varint(OnnxField.TensorTypeElementType, (ulong)elementType).Message(OnnxField.TensorTypeShape, shape);
        return new OnnxWriter()
            .Text(OnnxField.ValueInfoName, name)
            .Message(OnnxField.ValueInfoType, new OnnxWriter().Message(OnnxField.TypeTensor, tensorType));
    }
}
