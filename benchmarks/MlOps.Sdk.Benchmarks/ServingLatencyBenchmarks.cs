using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// One prediction (batch 1) on an ML.NET-exported binary classifier: raw <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// with <see cref="OrtValue"/>s as the baseline, the typed host, and ML.NET's <c>PredictionEngine</c> over the same
/// ONNX file (<c>ApplyOnnxModel</c>), the engine that <c>PredictionEnginePool</c> pools.
/// </summary>
[MemoryDiagnoser]
public class ServingLatencyBenchmarks
{
    private static readonly string[] InputNames = ["A", "B", "C", "D", "Label"];
    private static readonly string[] OutputNames = ["Probability.output"];
    private readonly MlNetModelFixture.Row _row = new() { A = 0.3f, B = 0.9f, C = 0.1f, D = 0.5f };
    private readonly long[] _shape = [1, 1];
    private ServiceProvider _services = null!;
    private IModelHost<MlNetModelFixture.Row, Probability> _host = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private PredictionEngine<OnnxRow, OnnxProbability> _engine = null!;
    private string _file = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var model = new MlNetModelFixture();
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().AddModelHost<MlNetModelFixture.Row, Probability>("fraud", h => h.PinVersion(1)).UseInMemoryStores();
        _services = services.BuildServiceProvider();
        var version = await _services.GetRequiredService<IModelRegistry>().RegisterModelAsync("fraud", new MemoryStream(model.Bytes));
        _host = _services.GetRequiredService<IModelHost<MlNetModelFixture.Row, Probability>>();
        await _host.SwapToAsync(version);

        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(model.Bytes, options);
        _runOptions = new RunOptions();

        _file = Path.Combine(Path.GetTempPath(), $"mlops-bench-{Guid.NewGuid():N}.onnx");
        await File.WriteAllBytesAsync(_file, model.Bytes);
        var ml = new MLContext();
        var pipeline = ml.Transforms.ApplyOnnxModel(["Probability.output"], ["A", "B", "C", "D", "Label"], _file);
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<OnnxRow>());
        _engine = ml.Model.CreatePredictionEngine<OnnxRow, OnnxProbability>(pipeline.Fit(empty));
        var check = _engine.Predict(new OnnxRow { A = [_row.A], B = [_row.B], C = [_row.C], D = [_row.D], Label = [false] });
        var expected = _host.Predict(_row).Value;
        if (Math.Abs(check.Probability[0] - expected) > 1e-5 || Math.Abs(RawOrt() - expected) > 1e-5)
        {
            throw new InvalidOperationException($"The peers disagree: host {expected}, engine {check.Probability[0]}, raw {RawOrt()}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        _session.Dispose();
        _runOptions.Dispose();
        _services.DisposeAsync().AsTask().GetAwaiter().GetResult();
        File.Delete(_file);
    }

    [Benchmark(Baseline = true)]
    public float RawOrt()
    {
        using var a = OrtValue.CreateTensorValueFromMemory(new[] { _row.A }, _shape);
        using var b = OrtValue.CreateTensorValueFromMemory(new[] { _row.B }, _shape);
        using var c = OrtValue.CreateTensorValueFromMemory(new[] { _row.C }, _shape);
        using var d = OrtValue.CreateTensorValueFromMemory(new[] { _row.D }, _shape);
        using var label = OrtValue.CreateTensorValueFromMemory(new[] { false }, _shape);
        using var outputs = _session.Run(_runOptions, InputNames, [a, b, c, d, label], OutputNames);
        return outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    [Benchmark]
    public float TypedHost() => _host.Predict(_row).Value;

    [Benchmark]
    public float MlNetPredictionEngine() =>
        _engine.Predict(new OnnxRow { A = [_row.A], B = [_row.B], C = [_row.C], D = [_row.D], Label = [false] }).Probability[0];

    public sealed class Probability
    {
        [ModelOutput("Probability.output")]
        public float Value { get; set; }
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
}
