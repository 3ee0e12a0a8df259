using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Monitoring;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// A typed prediction on the MLP (10 features) with a drift monitor capturing every input (100% sampling, windows of
/// 1,000 tested on the thread pool), against the same prediction on a host without monitoring.
/// </summary>
[MemoryDiagnoser]
public class MonitoringOverheadBenchmarks
{
    private ServiceProvider _services = null!;
    private ModelHost<ServingLatencyBenchmarks.MlpRow, ServingLatencyBenchmarks.MlpScore> _plain = null!;
    private ModelHost<ServingLatencyBenchmarks.MlpRow, ServingLatencyBenchmarks.MlpScore> _monitored = null!;
    private ServingLatencyBenchmarks.MlpRow[] _rows = null!;
    private IDisposable _watch = null!;
    private int _next;

    [GlobalSetup]
    public async Task Setup()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry()
            .AddModelHost<ServingLatencyBenchmarks.MlpRow, ServingLatencyBenchmarks.MlpScore>("plain", h => h.PinVersion(1))
            .AddModelHost<ServingLatencyBenchmarks.MlpRow, ServingLatencyBenchmarks.MlpScore>("monitored", h => h.PinVersion(1))
            .UseInMemoryStores();
        _services = services.BuildServiceProvider();
        var registry = _services.GetRequiredService<ModelRegistry>();
        var bytes = OnnxModels.Mlp(10, [32, 16]);
        _plain = _services.GetRequiredKeyedService<ModelHost<ServingLatencyBenchmarks.MlpRow, ServingLatencyBenchmarks.MlpScore>>("plain");
        _monitored = _services.GetRequiredKeyedService<ModelHost<ServingLatencyBenchmarks.MlpRow, ServingLatencyBenchmarks.MlpScore>>("monitored");
        await _plain.SwapToAsync(await registry.RegisterModelAsync("plain", new MemoryStream(bytes)));
        await _monitored.SwapToAsync(await registry.RegisterModelAsync("monitored", new MemoryStream(bytes)));
        var random = new Random(1);
        _rows = [.. Enumerable.Range(0, 4096).Select(_ => new ServingLatencyBenchmarks.MlpRow { Features = [.. Enumerable.Range(0, 10).Select(_ => (float)random.NextDouble())] })];
        var monitor = new DriftMonitor<ServingLatencyBenchmarks.MlpRow>(ReferenceProfile.Build(_rows), new DriftOptions { WindowSize = 1000 });
        _watch = monitor.Watch(_monitored);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _watch.Dispose();
        _services.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public float WithoutMonitoring() => _plain.Predict(_rows[_next++ & 4095]).Score;

    [Benchmark]
    public float WithMonitoring() => _monitored.Predict(_rows[_next++ & 4095]).Score;
}
