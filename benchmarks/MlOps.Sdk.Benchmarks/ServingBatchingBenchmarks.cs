using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// Throughput of 32 concurrent async callers, each awaiting <c>PredictAsync</c> in a loop, on the MLP (10 → 32 → 16 → 1):
/// one host without micro-batching (the baseline) and one with it. Each operation is one prediction.
/// </summary>
[MemoryDiagnoser]
public class ServingBatchingBenchmarks
{
    private const int Callers = 32;
    private const int CallsPerCaller = 256;
    private ServiceProvider _services = null!;
    private ModelHost<ServingLatencyBenchmarks.MlpRow, ServingLatencyBenchmarks.MlpScore> _plain = null!;
    private ModelHost<ServingLatencyBenchmarks.MlpRow, ServingLatencyBenchmarks.MlpScore> _batched = null!;
    private ServingLatencyBenchmarks.MlpRow[] _rows = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry()
            .AddModelHost<ServingLatencyBenchmarks.MlpRow, ServingLatencyBenchmarks.MlpScore>("plain", h => h.PinVersion(1))
            .AddModelHost<ServingLatencyBenchmarks.MlpRow, ServingLatencyBenchmarks.MlpScore>("batched", h => h.PinVersion(1).MicroBatching(b => b.MaxBatchSize = Callers))
            .UseInMemoryStores();
        _services = services.BuildServiceProvider();
        var registry = _services.GetRequiredService<ModelRegistry>();
        var bytes = OnnxModels.Mlp(10, [32, 16]);
        _plain = _services.GetRequiredKeyedService<ModelHost<ServingLatencyBenchmarks.MlpRow, ServingLatencyBenchmarks.MlpScore>>("plain");
        _batched = _services.GetRequiredKeyedService<ModelHost<ServingLatencyBenchmarks.MlpRow, ServingLatencyBenchmarks.MlpScore>>("batched");
        await _plain.SwapToAsync(await registry.RegisterModelAsync("plain", new MemoryStream(bytes)));
        await _batched.SwapToAsync(await registry.RegisterModelAsync("batched", new MemoryStream(bytes)));
        var random = new Random(1);
        _rows = [.. Enumerable.Range(0, Callers).Select(_ => new ServingLatencyBenchmarks.MlpRow { Features = [.. Enumerable.Range(0, 10).Select(_ => (float)random.NextDouble())] })];
        if (Math.Abs((await _batched.PredictAsync(_rows[0])).Score - _plain.Predict(_rows[0]).Score) > 1e-6)
        {
            throw new InvalidOperationException("The batched host disagrees with the plain one.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _services.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = Callers * CallsPerCaller)]
    public Task Unbatched() => RunCallers(_plain);

    [Benchmark(OperationsPerInvoke = Callers * CallsPerCaller)]
    public Task MicroBatched() => RunCallers(_batched);

    private Task RunCallers(ModelHost<ServingLatencyBenchmarks.MlpRow, ServingLatencyBenchmarks.MlpScore> host)
    {
        var callers = new Task[Callers];
        for (var c = 0; c < Callers; c++)
        {
            var row = _rows[c];
            callers[c] = Task.Run(async () =>
            {
                for (var i = 0; i < CallsPerCaller; i++)
                {
                    await host.PredictAsync(row);
                }
            });
        }

        return Task.WhenAll(callers);
    }
}
