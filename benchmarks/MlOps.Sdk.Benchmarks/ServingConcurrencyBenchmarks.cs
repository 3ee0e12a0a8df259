using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// Throughput of one and two threads sharing one model (batch 1, the ML.NET-exported classifier): the typed host, and raw
/// ONNX Runtime with its default session options (arena on, outputs allocated by the runtime). Each operation is one
/// prediction; two threads split the same number of predictions, so a time ratio below 1 is a speed-up.
/// </summary>
[MemoryDiagnoser]
public class ServingConcurrencyBenchmarks
{
    private const int Predictions = 32_768;
    private static readonly string[] InputNames = ["A", "B", "C", "D", "Label"];
    private static readonly string[] OutputNames = ["Probability.output"];
    private static readonly long[] Shape = [1, 1];
    private ServiceProvider _services = null!;
    private ModelHost<MlNetModelFixture.Row, ServingLatencyBenchmarks.Probability> _host = null!;
    private InferenceSession _defaultSession = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var model = new MlNetModelFixture();
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry()
            .AddModelHost<MlNetModelFixture.Row, ServingLatencyBenchmarks.Probability>("fraud", h => h.PinVersion(1))
            .UseInMemoryStores();
        _services = services.BuildServiceProvider();
        var version = await _services.GetRequiredService<ModelRegistry>().RegisterModelAsync("fraud", new MemoryStream(model.Bytes));
        _host = _services.GetRequiredService<ModelHost<MlNetModelFixture.Row, ServingLatencyBenchmarks.Probability>>();
        await _host.SwapToAsync(version);
        _defaultSession = new InferenceSession(model.Bytes);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _defaultSession.Dispose();
        _services.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Predictions)]
    public void HostOneThread() => Split(1, HostLoop);

    [Benchmark(OperationsPerInvoke = Predictions)]
    public void HostTwoThreads() => Split(2, HostLoop);

    [Benchmark(OperationsPerInvoke = Predictions)]
    public void RawDefaultsOneThread() => Split(1, RawLoop);

    [Benchmark(OperationsPerInvoke = Predictions)]
    public void RawDefaultsTwoThreads() => Split(2, RawLoop);

    private static void Split(int threads, Action<int> loop)
    {
        var workers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() => loop(Predictions / threads));
            workers[t].Start();
        }

        foreach (var worker in workers)
        {
            worker.Join();
        }
    }

    private void HostLoop(int count)
    {
        var input = new MlNetModelFixture.Row { A = 0.3f, B = 0.9f, C = 0.1f, D = 0.5f };
        for (var i = 0; i < count; i++)
        {
            _host.Predict(input);
        }
    }

    private void RawLoop(int count)
    {
        using var runOptions = new RunOptions();
        for (var i = 0; i < count; i++)
        {
            using var a = OrtValue.CreateTensorValueFromMemory(new[] { 0.3f }, Shape);
            using var b = OrtValue.CreateTensorValueFromMemory(new[] { 0.9f }, Shape);
            using var c = OrtValue.CreateTensorValueFromMemory(new[] { 0.1f }, Shape);
            using var d = OrtValue.CreateTensorValueFromMemory(new[] { 0.5f }, Shape);
            using var label = OrtValue.CreateTensorValueFromMemory(new[] { false }, Shape);
            using var outputs = _defaultSession.Run(runOptions, InputNames, [a, b, c, d, label], OutputNames);
        }
    }
}
