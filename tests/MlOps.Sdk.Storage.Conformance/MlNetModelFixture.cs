using Microsoft.ML;

namespace MlOps.Sdk.Storage.Conformance;

/// <summary>A real ONNX model exported by ML.NET (SDCA logistic regression over four columns), made once per test run.</summary>
public sealed class MlNetModelFixture
{
    public MlNetModelFixture()
    {
        var ml = Context;
        var random = new Random(1);
        var rows = Enumerable.Range(0, 200).Select(_ =>
        {
            var row = new Row { A = (float)random.NextDouble(), B = (float)random.NextDouble(), C = (float)random.NextDouble(), D = (float)random.NextDouble() };
            row.Label = row.A + row.B > 1;
            return row;
        }).ToList();
        Rows = rows;
        var data = ml.Data.LoadFromEnumerable(rows);
        Model = ml.Transforms.Concatenate("Features", "A", "B", "C", "D")
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression())
            .Fit(data);
        using var onnx = new MemoryStream();
        ml.Model.ConvertToOnnx(Model, data, onnx);
        Bytes = onnx.ToArray();
    }

    /// <summary>The rows the model was trained on.</summary>
    public IReadOnlyList<Row> Rows { get; }

    /// <summary>The context the model was trained in.</summary>
    public MLContext Context { get; } = new(seed: 1);

    /// <summary>The trained ML.NET model.</summary>
    public ITransformer Model { get; }

    /// <summary>The model exported to ONNX.</summary>
    public byte[] Bytes { get; }

    public sealed class Row
    {
        public float A { get; set; }

        public float B { get; set; }

        public float C { get; set; }

        public float D { get; set; }

        public bool Label { get; set; }
    }
}
