using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>A drift monitor on a real model host (the MLP, 10 features), fed by the host's own predictions.</summary>
public sealed class HostMonitoringTests : IAsyncLifetime
{
    private ServiceProvider _services = null!;
    private ModelHost<Features, Score> _host = null!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().AddModelHost<Features, Score>("mlp", h => h.PinVersion(1)).UseInMemoryStores();
        _services = services.BuildServiceProvider();
        var registry = _services.GetRequiredService<ModelRegistry>();
        _host = _services.GetRequiredService<ModelHost<Features, Score>>();
        Assert.True(await _host.SwapToAsync(await registry.RegisterModelAsync("mlp", new MemoryStream(OnnxModels.Mlp(10, [32, 16])))));
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task Watch_CapturesTheHostsPredictions_AndReportsDriftPerWindow()
    {
        var random = new Random(1);
        var reference = ReferenceProfile.Build(Enumerable.Range(0, 500).Select(_ => Features.Random(random, 0)));
        var monitor = new DriftMonitor<Features>(reference, new DriftOptions { WindowSize = 400 });
        var reports = new System.Collections.Concurrent.ConcurrentQueue<DriftReport>();
        using var closed = new SemaphoreSlim(0);
        monitor.WindowClosed += (_, r) =>
        {
            reports.Enqueue(r);
            closed.Release();
        };
        var calm = Enumerable.Range(0, 400).Select(_ => Features.Random(random, 0)).ToList();
        var shifted = Enumerable.Range(0, 400).Select(_ => Features.Random(random, 0.5)).ToList();

        using (monitor.Watch(_host))
        {
            foreach (var row in calm.Concat(shifted))
            {
                _host.Predict(row);
            }

            Assert.True(await closed.WaitAsync(TimeSpan.FromSeconds(30)) && await closed.WaitAsync(TimeSpan.FromSeconds(30)));
        }

        _host.Predict(calm[0]);
        Assert.Equal(800, monitor.Captured);
        var byRows = reports.ToList();
        Assert.Contains(byRows, r => !r.DatasetDrifted && r.Features.Count == 10);
        Assert.Contains(byRows, r => r.DatasetDrifted && r.DriftedFeatures == 10);
        Assert.Equal(monitor.Evaluate(shifted).Features, byRows.Single(r => r.DatasetDrifted).Features);
    }

    [Fact]
    public void AnObserverThatThrows_IsCounted_AndNeverFailsTheCall()
    {
        using var errors = new MetricCollector<long>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "MlOps.Sdk.Serving", "mlops.serving.observer_errors");
        var row = Features.Random(new Random(2), 0);
        var expected = _host.Predict(row).Value;

        using (_host.Observe(new Throwing()))
        {
            Assert.Equal(expected, _host.Predict(row).Value);
        }

        // The observer's queue delivers after the call returned: the error is counted shortly after.
        Assert.True(SpinWait.SpinUntil(() => errors.GetMeasurementSnapshot().Sum(m => m.Value) == 1, TimeSpan.FromSeconds(30)));
        _host.Predict(row);
        Assert.Equal(1, errors.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    private sealed class Throwing : IPredictionObserver<Features, Score>
    {
        public void OnPrediction(Features input, Score output, ModelVersion version) => throw new InvalidOperationException("observer bug");
    }

    public sealed class Features
    {
        [ModelInput("X")]
        public float[] Values { get; set; } = [];

        public static Features Random(Random random, double shift) =>
            new() { Values = [.. Enumerable.Range(0, 10).Select(_ => (float)(random.NextDouble() + shift))] };
    }

    public sealed class Score
    {
        [ModelOutput("Y")]
        public float Value { get; set; }
    }
}
