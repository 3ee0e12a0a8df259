using Microsoft.ML.OnnxRuntime;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Serving.Tests.Conformance;
using MlOps.Sdk.Storage.Conformance;

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

// The tests' ML.NET export (SDCA logistic regression over four columns, MlNetModelFixture), with two cases of its rows.
static void ExportMlNet(string folder)
{
    var fixture = new MlNetModelFixture();
    Directory.CreateDirectory(folder);
    File.WriteAllBytes(Path.Combine(folder, "model.onnx"), fixture.Bytes);
    foreach (var (k, count) in new[] { (0, 1), (1, 5) })
    {
        var dir = Directory.CreateDirectory(Path.Combine(folder, $"test_data_set_{k}")).FullName;
        var picked = fixture.Rows.Skip(10 * k).Take(count).ToArray();
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
