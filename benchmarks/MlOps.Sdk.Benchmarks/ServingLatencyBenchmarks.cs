using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// One prediction (batch 1) on an ML.NET-exported binary classifier and on a small MLP (10 → 32 → 16 → 1). The baseline
/// is raw <c>InferenceSession.Run</c> on <see cref="OrtValue"/>s the caller keeps between calls (inputs over its own
/// arrays, outputs pre-allocated); raw ONNX Runtime with an <see cref="OrtIoBinding"/> is shown beside it. Then the
/// host's tensor API, its typed API, and ML.NET's <c>PredictionEngine</c> over <c>ApplyOnnxModel</c> on the same
/// file: the engine that <c>PredictionEnginePool</c> pools. Every peer's output is checked against the others first.
/// </summary>
[MemoryDiagnoser]
public class ServingLatencyBenchmarks
{
    private const int MlpFeatures = 10;
    private readonly MlNetModelFixture.Row _row = new() { A = 0.3f, B = 0.9f, C = 0.1f, D = 0.5f };
    private readonly MlpRow _mlpRow = new() { Features = [.. Enumerable.Range(0, MlpFeatures).Select(i => i / 10f)] };
    private ServiceProvider _services = null!;
    private ModelHost<MlNetModelFixture.Row, Probability> _classifier = null!;
    private ModelHost<MlpRow, MlpScore> _mlp = null!;
    private ModelTensors _tensors = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private string[] _inputNames = null!;
    private string[] _outputNames = null!;
    private OrtValue[] _inputs = null!;
    private OrtValue[] _outputs = null!;
    private float[][] _inputBuffers = null!;
    private OrtIoBinding _binding = null!;
    private PredictionEngine<OnnxRow, OnnxProbability> _classifierEngine = null!;
    private PredictionEngine<OnnxMlpRow, OnnxMlpScore> _mlpEngine = null!;
    private string _file = null!;

    /// <summary>The model: <c>Classifier</c> (ML.NET export, four float columns and a label) or <c>Mlp</c>.</summary>
    [Params("Classifier", "Mlp")]
    public string Model { get; set; } = "Classifier";

    [GlobalSetup]
    public async Task Setup()
    {
        var bytes = Model == "Mlp" ? OnnxModels.Mlp(MlpFeatures, [32, 16]) : new MlNetModelFixture().Bytes;
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry()
            .AddModelHost<MlNetModelFixture.Row, Probability>("classifier", h => h.PinVersion(1))
            .AddModelHost<MlpRow, MlpScore>("mlp", h => h.PinVersion(1))
            .UseInMemoryStores();
        _services = services.BuildServiceProvider();
        var version = await _services.GetRequiredService<ModelRegistry>().RegisterModelAsync(Model == "Mlp" ? "mlp" : "classifier", new MemoryStream(bytes));
        _classifier = _services.GetRequiredService<ModelHost<MlNetModelFixture.Row, Probability>>();
        _mlp = _services.GetRequiredService<ModelHost<MlpRow, MlpScore>>();
        if (Model == "Mlp")
        {
            await _mlp.SwapToAsync(version);
            _tensors = _mlp.CreateTensors();
            _mlpRow.Features.CopyTo(_tensors.Input<float>("X"));
        }
        else
        {
            await _classifier.SwapToAsync(version);
            _tensors = _classifier.CreateTensors();
            foreach (var (name, value) in new[] { ("A", _row.A), ("B", _row.B), ("C", _row.C), ("D", _row.D) })
            {
                _tensors.Input<float>(name)[0] = value;
            }
        }

        SetupRaw(bytes);
        _file = Path.Combine(Path.GetTempPath(), $"mlops-bench-{Guid.NewGuid():N}.onnx");
        await File.WriteAllBytesAsync(_file, bytes);
        SetupEngine();
        Check();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _classifierEngine?.Dispose();
        _mlpEngine?.Dispose();
        _binding.Dispose();
        foreach (var value in _inputs.Concat(_outputs))
        {
            value.Dispose();
        }

        _session.Dispose();
        _runOptions.Dispose();
        _tensors.Dispose();
        _services.DisposeAsync().AsTask().GetAwaiter().GetResult();
        File.Delete(_file);
    }

    [Benchmark(Baseline = true)]
    public float RawOrt()
    {
        FillRawInputs();
        _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
        return _outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    [Benchmark]
    public float RawOrtIoBinding()
    {
        FillRawInputs();
        _session.RunWithBinding(_runOptions, _binding);
        return _outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    [Benchmark]
    public float TensorApi()
    {
        if (Model == "Mlp")
        {
            _mlpRow.Features.CopyTo(_tensors.Input<float>("X"));
            _mlp.Run(_tensors);
            return _tensors.Output<float>("Y")[0];
        }

        _tensors.Input<float>("A")[0] = _row.A;
        _tensors.Input<float>("B")[0] = _row.B;
        _tensors.Input<float>("C")[0] = _row.C;
        _tensors.Input<float>("D")[0] = _row.D;
        _classifier.Run(_tensors);
        return _tensors.Output<float>("Probability.output")[0];
    }

    [Benchmark]
    public float TypedApi() => Model == "Mlp" ? _mlp.Predict(_mlpRow).Score : _classifier.Predict(_row).Value;

    [Benchmark]
    public float MlNetPredictionEngine() => Model == "Mlp"
        ? _mlpEngine.Predict(new OnnxMlpRow { X = _mlpRow.Features }).Y[0]
        : _classifierEngine.Predict(new OnnxRow { A = [_row.A], B = [_row.B], C = [_row.C], D = [_row.D], Label = [false] }).Probability[0];

    private void SetupRaw(byte[] bytes)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, EnableCpuMemArena = false };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _session = new InferenceSession(bytes, options);
        _runOptions = new RunOptions();
        if (Model == "Mlp")
        {
            _inputNames = ["X"];
            _outputNames = ["Y"];
            _inputBuffers = [new float[MlpFeatures]];
            _inputs = [OrtValue.CreateTensorValueFromMemory(_inputBuffers[0], [1, MlpFeatures])];
        }
        else
        {
            _inputNames = ["A", "B", "C", "D", "Label"];
            _outputNames = ["Probability.output"];
            _inputBuffers = [new float[1], new float[1], new float[1], new float[1]];
            _inputs = [.. _inputBuffers.Select(b => OrtValue.CreateTensorValueFromMemory(b, [1, 1])), OrtValue.CreateTensorValueFromMemory(new bool[1], [1, 1])];
        }

        _outputs = [OrtValue.CreateTensorValueFromMemory(new float[1], [1, 1])];
        _binding = _session.CreateIoBinding();
        for (var i = 0; i < _inputNames.Length; i++)
        {
            _binding.BindInput(_inputNames[i], _inputs[i]);
        }

        _binding.BindOutput(_outputNames[0], _outputs[0]);
    }

    private void FillRawInputs()
    {
        if (Model == "Mlp")
        {
            _mlpRow.Features.CopyTo(_inputBuffers[0], 0);
            return;
        }

        _inputBuffers[0][0] = _row.A;
        _inputBuffers[1][0] = _row.B;
        _inputBuffers[2][0] = _row.C;
        _inputBuffers[3][0] = _row.D;
    }

    private void SetupEngine()
    {
        var ml = new MLContext();
        if (Model == "Mlp")
        {
            var pipeline = ml.Transforms.ApplyOnnxModel(["Y"], ["X"], _file);
            _mlpEngine = ml.Model.CreatePredictionEngine<OnnxMlpRow, OnnxMlpScore>(pipeline.Fit(ml.Data.LoadFromEnumerable(Array.Empty<OnnxMlpRow>())));
        }
        else
        {
            var pipeline = ml.Transforms.ApplyOnnxModel(["Probability.output"], ["A", "B", "C", "D", "Label"], _file);
            _classifierEngine = ml.Model.CreatePredictionEngine<OnnxRow, OnnxProbability>(pipeline.Fit(ml.Data.LoadFromEnumerable(Array.Empty<OnnxRow>())));
        }
    }

    private void Check()
    {
        float[] results = [RawOrt(), RawOrtIoBinding(), TensorApi(), TypedApi(), MlNetPredictionEngine()];
        if (results.Any(r => Math.Abs(r - results[0]) > 1e-5) || results[0] is 0 or float.NaN)
        {
            throw new InvalidOperationException($"The peers disagree on {Model}: {string.Join(", ", results)}.");
        }
    }

    public sealed class Probability
    {
        [ModelOutput("Probability.output")]
        public float Value { get; set; }
    }

    public sealed class MlpRow
    {
        [ModelInput("X")]
        public float[] Features { get; set; } = [];
    }

    public sealed class MlpScore
    {
        [ModelOutput("Y")]
        public float Score { get; set; }
    }

    public sealed class OnnxRow
    {
        [Microsoft.ML.Data.VectorType(1)]
        public float[] A { get; set; } = [];

        [Microsoft.ML.Data.VectorType(1)]
        public float[] B { get; set; } = [];

        [Microsoft.ML.Data.VectorType(1)]
        public float[] C { get; set; } = [];

        [Microsoft.ML.Data.VectorType(1)]
        public float[] D { get; set; } = [];

        [Microsoft.ML.Data.VectorType(1)]
        public bool[] Label { get; set; } = [];
    }

    public sealed class OnnxProbability
    {
        [Microsoft.ML.Data.ColumnName("Probability")]
        public float[] Probability { get; set; } = [];
    }

    public sealed class OnnxMlpRow
    {
        [Microsoft.ML.Data.VectorType(MlpFeatures)]
        public float[] X { get; set; } = [];
    }

    public sealed class OnnxMlpScore
    {
        [Microsoft.ML.Data.VectorType(1)]
        public float[] Y { get; set; } = [];
    }
}
