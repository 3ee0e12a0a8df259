using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Serving.Tests.Conformance;

// Usage: dotnet run --project tools/conformance/Record -- <conformance folder>
var root = args.Length > 0 ? args[0] : "tests/MlOps.Sdk.Serving.Tests/Conformance";
ExportMlNet(Path.Combine(root, "mlnet"));
foreach (var model in ConformanceSet.Load(root).GroupBy(c => c.ModelPath))
{
    using var session = new InferenceSession(model.Key);
    foreach (var @case in model)
    {
        var outputs = RawRuntime.Run(session, @case.Inputs);
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(model.Key)!, $"test_data_set_{@case.Index}", ConformanceSet.RuntimeOutputsFile), ConformanceSet.WriteOutputs(outputs));
        Console.WriteLine($"{@case}: {outputs}");
    }
}

// A binary classifier trained and exported by ML.NET (SDCA logistic regression over four columns), with two cases.
static void ExportMlNet(string folder)
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
    var model = ml.Transforms.Concatenate("Features", "A", "B", "C", "D").Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression()).Fit(data);
    Directory.CreateDirectory(folder);
    using (var onnx = File.Create(Path.Combine(folder, "model.onnx")))
    {
        ml.Model.ConvertToOnnx(model, data, onnx);
    }

    foreach (var (k, count) in new[] { (0, 1), (1, 5) })
    {
        var dir = Directory.CreateDirectory(Path.Combine(folder, $"test_data_set_{k}")).FullName;
        var picked = rows.Skip(10 * k).Take(count).ToArray();
        var columns = new (string Name, TensorValue Value)[]
        {
            ("A", TensorValue.Create(picked.Select(r => r.A).ToArray(), count, 1)),
            ("B", TensorValue.Create(picked.Select(r => r.B).ToArray(), count, 1)),
            ("C", TensorValue.Create(picked.Select(r => r.C).ToArray(), count, 1)),
            ("D", TensorValue.Create(picked.Select(r => r.D).ToArray(), count, 1)),
            ("Label", TensorValue.Create(picked.Select(r => r.Label).ToArray(), count, 1)),
        };
        for (var i = 0; i < columns.Length; i++)
        {
            File.WriteAllBytes(Path.Combine(dir, $"input_{i}.pb"), ConformanceSet.WriteTensor(columns[i].Name, columns[i].Value));
        }
    }
}

internal sealed class Row
{
    public float A { get; set; }

    public float B { get; set; }

    public float C { get; set; }

    public float D { get; set; }

    public bool Label { get; set; }
}
