using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Testing.Quality;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// Evaluating a binary classifier on 100,000 labelled rows: the benchmarks' MLP (10 → 32 → 16 → 1) and the ML.NET-exported
/// SDCA classifier of the tests (four columns; ONNX Runtime spends about 50 ns a row on it). The baseline is raw ONNX
/// Runtime running the same rows in batches of 1,024 with the host's session options (inputs copied into arrays, the
/// score read back) and nothing else. <c>Evaluate</c> is the model-quality API: the batched prediction through a model
/// host, every binary metric (accuracy, precision, recall, F1, ROC AUC, log loss, the confusion matrix) and the DeLong
/// interval of the AUC; <c>EvaluateOneThread</c> the same with the batches predicted one after another.
/// </summary>
[MemoryDiagnoser]
public class ModelEvaluationBenchmarks
{
    private const int Rows = 100_000;
    private const int Batch = ModelEvaluation.DefaultBatchSize;
    private const int MlpFeatures = 10;
    private List<MlNetModelFixture.Row> _rows = null!;
    private List<LabelledMlpRow> _mlpRows = null!;
    private string _file = null!;
    private ModelUnderTest<MlNetModelFixture.Row, ServingLatencyBenchmarks.Probability> _classifier = null!;
    private ModelUnderTest<LabelledMlpRow, ServingLatencyBenchmarks.MlpScore> _mlp = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;

    /// <summary>The model: <c>Mlp</c> or <c>Classifier</c>.</summary>
    [Params("Mlp", "Classifier")]
    public string Model { get; set; } = "Mlp";

    [GlobalSetup]
    public async Task Setup()
    {
        var random = new Random(4);
        _file = Path.Combine(Path.GetTempPath(), $"mlops-evaluation-{Guid.NewGuid():N}.onnx");
        if (Model == "Mlp")
        {
            _mlpRows = [.. Enumerable.Range(0, Rows).Select(_ =>
            {
                var features = Enumerable.Range(0, MlpFeatures).Select(_ => (float)random.NextDouble()).ToArray();
                return new LabelledMlpRow { Features = features, Label = features[0] + features[1] + ((random.NextDouble() - 0.5) * 0.6) > 1 };
            })];
            await File.WriteAllBytesAsync(_file, OnnxModels.Mlp(MlpFeatures, [32, 16]));
            _mlp = await ModelUnderTest.FromFileAsync<LabelledMlpRow, ServingLatencyBenchmarks.MlpScore>(_file);
        }
        else
        {
            _rows = [.. Enumerable.Range(0, Rows).Select(_ =>
            {
                var row = new MlNetModelFixture.Row { A = (float)random.NextDouble(), B = (float)random.NextDouble(), C = (float)random.NextDouble(), D = (float)random.NextDouble() };
                row.Label = row.A + row.B + ((random.NextDouble() - 0.5) * 0.6) > 1;
                return row;
            })];
            await File.WriteAllBytesAsync(_file, new MlNetModelFixture().Bytes);
            _classifier = await ModelUnderTest.FromFileAsync<MlNetModelFixture.Row, ServingLatencyBenchmarks.Probability>(_file);
        }

        using (var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, EnableCpuMemArena = false })
        {
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            _session = new InferenceSession(_file, options);
        }

        _runOptions = new RunOptions();
        var raw = RawOnnxRuntime();
        var evaluated = Evaluate();
        if (Math.Abs(raw - evaluated.Sum()) > 1e-3 * Rows)
        {
            throw new InvalidOperationException($"The evaluation's scores ({evaluated.Sum()}) differ from ONNX Runtime's ({raw}).");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (_mlp is not null)
        {
            await _mlp.DisposeAsync();
        }

        if (_classifier is not null)
        {
            await _classifier.DisposeAsync();
        }

        _session.Dispose();
        _runOptions.Dispose();
        File.Delete(_file);
    }

    [Benchmark(Baseline = true)]
    public double RawOnnxRuntime() => Model == "Mlp" ? RawMlp() : RawClassifier();

    /// <summary>The model-quality API as a test calls it: batches predicted on every core, as request threads would.</summary>
    [Benchmark]
    public IReadOnlyList<double> Evaluate() => Evaluate(maxDegreeOfParallelism: -1);

    /// <summary>The same, one batch after another: the evaluation's own cost on the baseline's single thread.</summary>
    [Benchmark]
    public IReadOnlyList<double> EvaluateOneThread() => Evaluate(maxDegreeOfParallelism: 1);

    private IReadOnlyList<double> Evaluate(int maxDegreeOfParallelism)
    {
        return Model == "Mlp"
            ? Metrics(_mlp.Host.EvaluateBinary(_mlpRows, r => r.Label, s => s.Score, maxDegreeOfParallelism: maxDegreeOfParallelism))
            : Metrics(_classifier.Host.EvaluateBinary(_rows, r => r.Label, s => s.Value, maxDegreeOfParallelism: maxDegreeOfParallelism));

        static IReadOnlyList<double> Metrics<TIn>(BinaryEvaluation<TIn> evaluation)
        {
            _ = (evaluation.Accuracy, evaluation.Precision, evaluation.Recall, evaluation.F1, evaluation.RocAuc, evaluation.LogLoss, evaluation.ConfusionMatrix);
            _ = evaluation.Interval(Metric.RocAuc);
            return evaluation.Scores;
        }
    }

    private double RawMlp()
    {
        double sum = 0;
        for (var start = 0; start < Rows; start += Batch)
        {
            var n = Math.Min(Batch, Rows - start);
            var features = new float[n * MlpFeatures];
            for (var i = 0; i < n; i++)
            {
                _mlpRows[start + i].Features.CopyTo(features, i * MlpFeatures);
            }

            using var x = OrtValue.CreateTensorValueFromMemory(features, [n, MlpFeatures]);
            using var outputs = _session.Run(_runOptions, ["X"], [x], ["Y"]);
            foreach (var p in outputs[0].GetTensorDataAsSpan<float>())
            {
                sum += p;
            }
        }

        return sum;
    }

    private double RawClassifier()
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
            using var outputs = _session.Run(_runOptions, ["A", "B", "C", "D", "Label"], [a, b, c2, d, label], ["Probability.output"]);
            foreach (var p in outputs[0].GetTensorDataAsSpan<float>())
            {
                sum += p;
            }
        }

        return sum;
    }

    public sealed class LabelledMlpRow
    {
        [Serving.ModelInput("X")]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}
