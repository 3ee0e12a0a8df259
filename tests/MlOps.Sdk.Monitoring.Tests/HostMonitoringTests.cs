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
        var calm = Enumerable.Range(0, 400).Select(_ => Features.Random(random, 0)).ToList();
        var shifted = Enumerable.Range(0, 400).Select(_ => Features.Random(random, 0.5)).ToList();

        var byRows = await TwoWindowsAsync(monitor, monitor.Watch, calm.Concat(shifted));

        _host.Predict(calm[0]);
        Assert.Equal(800, monitor.Captured);
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

    /// <summary>Prediction drift: the host's outputs, windowed against a profile of its outputs on the reference inputs.</summary>
    [Fact]
    public async Task WatchPredictions_CapturesTheHostsOutputs_AndReportsTheirDriftPerWindow()
    {
        var random = new Random(2);
        var training = Enumerable.Range(0, 500).Select(_ => Features.Random(random, 0)).ToList();
        var profile = ReferenceProfile.Build(training.Select(f => _host.Predict(f)));
        var monitor = new DriftMonitor<Score>(profile, new DriftOptions { WindowSize = 400 });
        var calm = Enumerable.Range(0, 400).Select(_ => Features.Random(random, 0)).ToList();
        var shifted = Enumerable.Range(0, 400).Select(_ => Features.Random(random, 1.0)).ToList();

        var windows = await TwoWindowsAsync(monitor, monitor.WatchPredictions, calm.Concat(shifted));

        Assert.Equal(["Value"], profile.Features.Select(f => f.Name));
        // The two windows are tested side by side: either may close first.
        Assert.Equal(2, windows.Count);
        Assert.Single(windows, w => !w.Features.Single().Drifted);
        Assert.Equal(monitor.Evaluate(shifted.Select(f => _host.Predict(f))).Features, windows.Single(w => w.Features.Single().Drifted).Features);
    }

    /// <summary>Predicts <paramref name="rows"/> while <paramref name="watch"/> feeds the monitor, and returns the two windows they close.</summary>
    private async Task<List<DriftReport>> TwoWindowsAsync<T>(DriftMonitor<T> monitor, Func<ModelHost<Features, Score>, IDisposable> watch, IEnumerable<Features> rows)
    {
        var reports = new System.Collections.Concurrent.ConcurrentQueue<DriftReport>();
        using var closed = new SemaphoreSlim(0);
        monitor.WindowClosed += (_, r) =>
        {
            reports.Enqueue(r);
            closed.Release();
        };
        using (watch(_host))
        {
            foreach (var row in rows)
            {
                _host.Predict(row);
            }

            Assert.True(await closed.WaitAsync(TimeSpan.FromSeconds(30)) && await closed.WaitAsync(TimeSpan.FromSeconds(30)));
        }

        return [.. reports];
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
