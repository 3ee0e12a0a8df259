using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Testing.Quality;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// Evaluating the ML.NET-exported classifier on 100,000 labelled rows. The baseline is raw ONNX Runtime running the same
/// rows in batches of 1,024 (the host's session options; inputs copied into arrays, the probability read back) and
/// nothing else; <c>Evaluate</c> is the model-quality API: the batched prediction through a model host, then every
/// binary metric (accuracy, precision, recall, F1, ROC AUC, log loss, the confusion matrix) and the DeLong interval of
/// the AUC.
/// </summary>
[MemoryDiagnoser]
public class ModelEvaluationBenchmarks
{
    private const int Rows = 100_000;
    private const int Batch = ModelEvaluation.DefaultBatchSize;
    private static readonly string[] InputNames = ["A", "B", "C", "D", "Label"];
    private List<MlNetModelFixture.Row> _rows = null!;
    private string _file = null!;
    private ModelUnderTest<MlNetModelFixture.Row, ServingLatencyBenchmarks.Probability> _model = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var random = new Random(4);
        _rows = [.. Enumerable.Range(0, Rows).Select(_ =>
        {
            var row = new MlNetModelFixture.Row { A = (float)random.NextDouble(), B = (float)random.NextDouble(), C = (float)random.NextDouble(), D = (float)random.NextDouble() };
            row.Label = row.A + row.B + ((random.NextDouble() - 0.5) * 0.6) > 1;
            return row;
        })];
        _file = Path.Combine(Path.GetTempPath(), $"mlops-evaluation-{Guid.NewGuid():N}.onnx");
        await File.WriteAllBytesAsync(_file, new MlNetModelFixture().Bytes);
        _model = await ModelUnderTest.FromFileAsync<MlNetModelFixture.Row, ServingLatencyBenchmarks.Probability>(_file);
        using (var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, EnableCpuMemArena = false })
        {
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            _session = new InferenceSession(_file, options);
        }

        _runOptions = new RunOptions();
        var raw = RawOnnxRuntime();
        var evaluated = Evaluate();
        if (Math.Abs(raw - evaluated.Scores.Sum()) > 1e-3 * Rows)
        {
            throw new InvalidOperationException($"The evaluation's scores ({evaluated.Scores.Sum()}) differ from ONNX Runtime's ({raw}).");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _model.DisposeAsync();
        _session.Dispose();
        _runOptions.Dispose();
        File.Delete(_file);
    }

    [Benchmark(Baseline = true)]
    public double RawOnnxRuntime()
    {
        double sum = 0;
        var columns = new float[4][];
        for (var start = 0; start < Rows; start += Batch)
        {
            var n = Math.Min(Batch, Rows - start);
            var labels = new bool[n];
            for (var c = 0; c < 4; c++)
            {
                columns[c] = new float[n];
            }

            for (var i = 0; i < n; i++)
            {
                var row = _rows[start + i];
                (columns[0][i], columns[1][i], columns[2][i], columns[3][i], labels[i]) = (row.A, row.B, row.C, row.D, row.Label);
            }

            using var a = OrtValue.CreateTensorValueFromMemory(columns[0], [n, 1]);
            using var b = OrtValue.CreateTensorValueFromMemory(columns[1], [n, 1]);
            using var c2 = OrtValue.CreateTensorValueFromMemory(columns[2], [n, 1]);
            using var d = OrtValue.CreateTensorValueFromMemory(columns[3], [n, 1]);
            using var label = OrtValue.CreateTensorValueFromMemory(labels, [n, 1]);
            using var outputs = _session.Run(_runOptions, InputNames, [a, b, c2, d, label], ["Probability.output"]);
            foreach (var p in outputs[0].GetTensorDataAsSpan<float>())
            {
                sum += p;
            }
        }

        return sum;
    }

    [Benchmark]
    public BinaryEvaluation<MlNetModelFixture.Row> Evaluate()
    {
        var evaluation = _model.Host.EvaluateBinary(_rows, r => r.Label, s => s.Value);
        _ = (evaluation.Accuracy, evaluation.Precision, evaluation.Recall, evaluation.F1, evaluation.RocAuc, evaluation.LogLoss, evaluation.ConfusionMatrix);
        _ = evaluation.Interval(Metric.RocAuc);
        return evaluation;
    }
}
