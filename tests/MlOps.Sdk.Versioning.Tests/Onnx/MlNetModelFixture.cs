using Microsoft.ML;

namespace MlOps.Sdk.Versioning.Tests.Onnx;

/// <summary>A real ONNX model exported by ML.NET (SDCA logistic regression over four columns), made once per test run.</summary>
public sealed class MlNetModelFixture
{
    public MlNetModelFixture()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(1);
        var rows = Enumerable.Range(0, 200).Select(_ =>
        {
            var row = new Row { A = (float)random.NextDouble(), B = (float)random.NextDouble(), C = (float)random.NextDouble(), D = (float)random.NextDouble() };
            row.Label = row.A + row.B > 1;
            return row;
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Concatenate("Features", "A", "B", "C", "D")
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression())
            .Fit(data);
        using var onnx = new MemoryStream();
        ml.Model.ConvertToOnnx(model, data, onnx);
        Bytes = onnx.ToArray();
    }

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
