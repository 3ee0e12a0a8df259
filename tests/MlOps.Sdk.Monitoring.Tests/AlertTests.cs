using Microsoft.Extensions.Time.Testing;
using MlOps.Sdk.Monitoring.Quality;
using Xunit;

namespace MlOps.Sdk.Monitoring.Tests;

public sealed class AlertTests
{
    private static readonly DriftReport Drifted = new([Feature(true), Feature(true)], 100, 0.5);
    private static readonly DriftReport Calm = new([Feature(false), Feature(false)], 100, 0.5);

    [Fact]
    public void Rules_FireAfterConsecutiveBreaches_ResolveAfterCalmWindows_AndRespectTheCooldown()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-26T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var engine = new AlertEngine([AlertRule.Drift()], new AlertOptions { FireAfter = 2, ResolveAfter = 2, Cooldown = TimeSpan.FromMinutes(30) }, time);
        var alerts = new List<Alert>();
        engine.Changed += (_, a) => alerts.Add(a);

        engine.Observe(Drifted);
        Assert.Empty(alerts);
        engine.Observe(Calm);
        engine.Observe(Drifted);
        Assert.Empty(alerts);
        engine.Observe(Drifted);
        Assert.True(Assert.Single(alerts).Firing);
        Assert.Equal(["dataset-drift"], engine.Firing);

        engine.Observe(Calm);
        engine.Observe(Drifted);
        engine.Observe(Calm);
        Assert.Single(alerts);
        engine.Observe(Calm);
        Assert.False(alerts[^1].Firing);

        // Breaching again inside the cooldown does not fire; after it, it does.
        engine.Observe(Drifted);
        engine.Observe(Drifted);
        Assert.Equal(2, alerts.Count);
        time.Advance(TimeSpan.FromMinutes(31));
        engine.Observe(Drifted);
        Assert.True(alerts[^1].Firing);
        Assert.Equal(3, alerts.Count);
    }

    [Fact]
    public void QualityAndDetectorRules_LookAtQualityWindowsOnly()
    {
        var engine = new AlertEngine([AlertRule.Quality("accuracy", 0.8), AlertRule.DetectorAlarm(), AlertRule.Drift(features: 1)], new AlertOptions { Cooldown = TimeSpan.Zero });
        var alerts = new List<Alert>();
        engine.Changed += (_, a) => alerts.Add(a);

        engine.Observe(new QualityReport(500, new Dictionary<string, double> { ["accuracy"] = 0.7 }, DetectorAlarms: 1));

        Assert.Equal(["accuracy-below-0.8", "detector-alarm"], alerts.Select(a => a.Rule).Order());
        engine.Observe(Drifted);
        Assert.Contains(alerts, a => a.Rule == "drift-on-1-features" && a.Drift == Drifted);
    }

    [Fact]
    public async Task RetrainTrigger_CallsTheHookWithTheWindowAndTheServingVersion_OneAtATime()
    {
        var random = new Random(3);
        var reference = ReferenceProfile.Build(Enumerable.Range(0, 300).Select(_ => new MonitorTests.Row { Amount = random.NextDouble(), V = [1, 2, 3] }), include: p => p != "Country");
        Assert.DoesNotContain(reference.Features, f => f.Name == "Country");
        var monitor = new DriftMonitor<MonitorTests.Row>(reference, new DriftOptions { WindowSize = 100, KeepRows = true });
        var engine = new AlertEngine([AlertRule.Drift(features: 1)], new AlertOptions { Cooldown = TimeSpan.Zero, ResolveAfter = 1 });
        monitor.WindowClosed += (_, report) => engine.Observe(report);
        var hook = new SlowHook();
        await using var trigger = new RetrainTrigger<MonitorTests.Row>(engine, monitor, hook, () => null);
        var windows = new SemaphoreSlim(0);
        monitor.WindowClosed += (_, _) => windows.Release();

        foreach (var row in Enumerable.Range(0, 100).Select(_ => new MonitorTests.Row { Amount = random.NextDouble() + 5, V = [1, 2, 3], Country = "XX" }))
        {
            monitor.Observe(row);
        }

        Assert.True(await windows.WaitAsync(TimeSpan.FromSeconds(30)));
        await hook.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        engine.Observe(new DriftReport([Feature(false)], 1, 0.5));
        engine.Observe(new DriftReport([Feature(true)], 1, 0.5));
        hook.Release.SetResult();
        await trigger.Running;

        Assert.Throws<ArgumentException>(() => new RetrainTrigger<MonitorTests.Row>(engine, new DriftMonitor<MonitorTests.Row>(reference), hook, () => null));
        var request = Assert.Single(hook.Requests);
        Assert.Equal(100, request.Window.Count);
        Assert.All(request.Window, r => Assert.True(r.Amount >= 5));
        Assert.True(request.Alert.Firing);
    }

    private static FeatureDrift Feature(bool drifted) => new("x", FeatureKind.Numeric, "ks", drifted ? 0.001 : 0.5, 0.05, drifted, 10, 0, 0, 0);

    private sealed class SlowHook : IRetrainHook<MonitorTests.Row>
    {
        public List<RetrainRequest<MonitorTests.Row>> Requests { get; } = [];

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task RetrainAsync(RetrainRequest<MonitorTests.Row> request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add(request);
            }

            Started.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
        }
    }

    public sealed record Payment
    {
        public double? Amount { get; init; }

        public string? Country { get; init; }
    }

    /// <summary>Missing, non-finite, out-of-range and unseen-category shares, measured on real windows, fire and resolve as rules.</summary>
    [Fact]
    public void DataQualityRules_MeasureEachWindow_AndFireWithTheSameHysteresis()
    {
        var random = new Random(12);
        Payment Row(double missing = 0, double outside = 0, double unseen = 0, double infinite = 0) => new()
        {
            Amount = random.NextDouble() < missing ? null : random.NextDouble() < infinite ? double.PositiveInfinity : random.NextDouble() < outside ? 150 + random.NextDouble() : random.NextDouble() * 100,
            Country = random.NextDouble() < unseen ? "NZ" : random.NextDouble() < 0.5 ? "FR" : "DE",
        };
        var profile = ReferenceProfile.Build(Enumerable.Range(0, 500).Select(_ => Row()));
        var monitor = new DriftMonitor<Payment>(profile);
        var engine = new AlertEngine(
            [AlertRule.DataQuality(DataQualityCheck.Missing, 0.2, "Amount"), AlertRule.DataQuality(DataQualityCheck.OutOfRange, 0.1),
             AlertRule.DataQuality(DataQualityCheck.UnseenCategory, 0.05, "Country"), AlertRule.DataQuality(DataQualityCheck.NonFinite, 0.05)],
            new AlertOptions { FireAfter = 2, ResolveAfter = 1, Cooldown = TimeSpan.Zero });

        DriftReport Window(List<Payment> rows)
        {
            var report = monitor.Evaluate(rows);
            engine.Observe(report);
            return report;
        }

        Window([.. Enumerable.Range(0, 400).Select(_ => Row())]);
        Assert.Empty(engine.Firing);

        var dirty = Enumerable.Range(0, 400).Select(_ => Row(missing: 0.3, outside: 0.2, unseen: 0.1, infinite: 0.1)).ToList();
        var report = Window(dirty);
        var amount = report.Features.Single(f => f.Feature == "Amount");
        var country = report.Features.Single(f => f.Feature == "Country");
        Assert.Equal(dirty.Count(r => r.Amount is null), amount.Missing);
        var (min, max) = (profile["Amount"].Min, profile["Amount"].Max);
        Assert.Equal(dirty.Count(r => r.Amount is { } a && double.IsFinite(a) && (a < min || a > max)), amount.OutOfRange);
        Assert.Equal(dirty.Count(r => r.Amount is double.PositiveInfinity), amount.NonFinite);
        Assert.Equal((dirty.Count(r => r.Country == "NZ"), 1), (country.UnseenValues, country.UnseenCategories));
        Assert.Empty(engine.Firing);

        Window([.. Enumerable.Range(0, 400).Select(_ => Row(missing: 0.3, outside: 0.2, unseen: 0.1, infinite: 0.1))]);
        Assert.Equal(["Missing-of-Amount-above-0.2", "NonFinite-of-any-feature-above-0.05", "OutOfRange-of-any-feature-above-0.1", "UnseenCategory-of-Country-above-0.05"], engine.Firing.Order(StringComparer.Ordinal));

        Window([.. Enumerable.Range(0, 400).Select(_ => Row(missing: 0.3))]);
        Assert.Equal(["Missing-of-Amount-above-0.2"], engine.Firing);
        Assert.Throws<ArgumentOutOfRangeException>(() => AlertRule.DataQuality(DataQualityCheck.Missing, 1));
    }
}
