using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Monitoring.Quality;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using Xunit;
using Features = MlOps.Sdk.Monitoring.Tests.HostMonitoringTests.Features;
using Score = MlOps.Sdk.Monitoring.Tests.HostMonitoringTests.Score;

namespace MlOps.Sdk.Monitoring.Tests;

public sealed class ModelMonitorTests
{
    [Fact]
    public async Task AddMonitoring_WatchesTheServedVersion_AlertsOnDrift_CallsTheRetrainHook_AndFollowsSwaps()
    {
        var hook = new RecordingHook();
        var services = new ServiceCollection();
        services.AddSingleton<IRetrainHook<Features>>(hook);
        services.AddMlOps().AddTracking().AddModelRegistry()
            .AddModelHost<Features, Score>("mlp", h => h.FollowAlias("production"))
            .AddMonitoring<Features, Score>("mlp", m =>
            {
                m.Drift.WindowSize = 200;
                m.Alerts.Cooldown = TimeSpan.Zero;
                m.AlertWhen(AlertRule.Drift());
            })
            .UseInMemoryStores();
        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ExperimentTracker>();
        var registry = provider.GetRequiredService<ModelRegistry>();
        var random = new Random(7);
        string runId;
        await using (var run = await tracker.StartRunAsync("mlp", "trained"))
        {
            runId = run.Id;
            await run.LogArtifactAsync("model.onnx", new MemoryStream(OnnxModels.Mlp(10, [32, 16])));
            await run.LogReferenceProfileAsync(ReferenceProfile.Build(Enumerable.Range(0, 500).Select(_ => Features.Random(random, 0))));
        }

        var version = await registry.RegisterModelFromRunAsync("mlp", runId, "model.onnx");
        await registry.SetAliasAsync("mlp", "production", version.Number);
        await MonitoredMlp.StartAsync(provider);

        var host = provider.GetRequiredService<ModelHost<Features, Score>>();
        var monitor = provider.GetRequiredKeyedService<ModelMonitor<Features, Score>>("mlp");
        var alerts = new System.Collections.Concurrent.ConcurrentQueue<Alert>();
        monitor.Alerts.Changed += (_, a) => alerts.Enqueue(a);
        Assert.Equal(version.Number, monitor.ReferenceVersion?.Number);

        for (var i = 0; i < 200; i++)
        {
            host.Predict(Features.Random(random, 0.6));
        }

        await hook.Called.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // Subscribers are called each on its own, so the hook (run by the trigger's subscription) can be first.
        Assert.True(SpinWait.SpinUntil(() => !alerts.IsEmpty, TimeSpan.FromSeconds(30)), "The alert never reached the test's subscriber.");
        Assert.True(monitor.LastReport!.DatasetDrifted);
        Assert.True(Assert.Single(alerts).Firing);
        Assert.Equal(200, hook.Request!.Window.Count);
        Assert.Equal(version.Number, hook.Request.ServingVersion!.Number);

        // A version without a profile: monitoring stops (and says so) instead of comparing with the wrong reference.
        var bare = await registry.RegisterModelAsync("mlp", new MemoryStream(OnnxModels.Mlp(10, [8])));
        await registry.SetAliasAsync("mlp", "production", bare.Number);
        Assert.True(SpinWait.SpinUntil(() => host.CurrentVersion?.Number == bare.Number && monitor.ReferenceVersion is null, TimeSpan.FromSeconds(30)));
    }

    /// <summary>A run that logged the profile of its predictions gets prediction drift too: its windows reach the history and the alerts.</summary>
    [Fact]
    public async Task AVersionWhoseRunProfiledItsPredictions_IsWatchedForPredictionDrift_BesideItsInputs()
    {
        var model = OnnxModels.Mlp(10, [32, 16]);
        var random = new Random(8);
        var training = Enumerable.Range(0, 500).Select(_ => Features.Random(random, 0)).ToList();
        var outputs = await ScoreAsync(model, training);

        await using var provider = await ServeFromRunAsync(model, m =>
        {
            m.Drift.WindowSize = 200;
            m.Alerts.Cooldown = TimeSpan.Zero;
            m.AlertWhen(AlertRule.Drift(features: 1, name: "any-drift"));
        }, async run =>
        {
            await run.LogReferenceProfileAsync(ReferenceProfile.Build(training));
            await run.LogPredictionProfileAsync(ReferenceProfile.Build(outputs));
        });
        var host = provider.GetRequiredService<ModelHost<Features, Score>>();
        var monitor = provider.GetRequiredKeyedService<ModelMonitor<Features, Score>>("mlp");
        Assert.NotNull(monitor.PredictionDrift);

        var shifted = Enumerable.Range(0, 200).Select(_ => Features.Random(random, 1.0)).ToList();
        shifted.ForEach(f => host.Predict(f));

        Assert.True(SpinWait.SpinUntil(() => monitor.History.Windows.Count == 2, TimeSpan.FromSeconds(30)), $"{monitor.History.Windows.Count} windows");
        var prediction = monitor.History.Windows.Single(w => w.Features.Any(f => f.Feature.StartsWith("prediction.", StringComparison.Ordinal)));
        var verdict = Assert.Single(prediction.Features);
        Assert.Equal("prediction.Value", verdict.Feature);
        Assert.True(verdict.Drifted);
        var expected = new DriftMonitor<Score>(ReferenceProfile.Build(outputs)).Evaluate(shifted.Select(f => host.Predict(f))).Features.Single();
        Assert.Equal((expected.Test, expected.Score), (verdict.Test, verdict.Score));
        Assert.True(SpinWait.SpinUntil(() => monitor.Alerts.Firing.Contains("any-drift"), TimeSpan.FromSeconds(30)));
    }

    /// <summary>
    /// A run that logged a performance reference gets its performance estimated before labels: each window of scores adds
    /// the estimate a <see cref="PerformanceEstimator"/> calibrated on that reference gives, to the history and the alerts.
    /// </summary>
    [Fact]
    public async Task AVersionWhoseRunLoggedAPerformanceReference_HasItsPerformanceEstimatedPerWindow()
    {
        var model = OnnxModels.Mlp(10, [32, 16]);
        var random = new Random(10);
        var validation = Enumerable.Range(0, 1_000).Select(_ => Features.Random(random, 0)).ToList();
        double[] scores = [.. (await ScoreAsync(model, validation)).Select(o => (double)o.Value)];

        // Labels that follow the score: the higher, the likelier positive.
        var (low, high) = (scores.Min(), scores.Max());
        bool[] labels = [.. scores.Select(s => random.NextDouble() < (s - low) / (high - low))];

        await using var provider = await ServeFromRunAsync(model, m =>
        {
            m.Drift.WindowSize = 200;
            m.Alerts.Cooldown = TimeSpan.Zero;
            m.EstimatePerformance(nameof(Score.Value), new PerformanceEstimatorOptions { Threshold = (low + high) / 2 });
            m.AlertWhen(AlertRule.Quality("estimated_accuracy", 0.999, name: "estimated-accuracy"));
        }, async run =>
        {
            await run.LogReferenceProfileAsync(ReferenceProfile.Build(validation));
            await run.LogPerformanceReferenceAsync(scores, labels);
        });
        var host = provider.GetRequiredService<ModelHost<Features, Score>>();
        var monitor = provider.GetRequiredKeyedService<ModelMonitor<Features, Score>>("mlp");
        Assert.NotNull(monitor.PerformanceEstimation);

        double[] served = [.. Enumerable.Range(0, 200).Select(_ => (double)host.Predict(Features.Random(random, 0)).Value)];

        await Until(() => monitor.History.Performance.Count == 1);
        var expected = PerformanceEstimator.Fit(scores, labels, new PerformanceEstimatorOptions { Threshold = (low + high) / 2 }).Estimate(served);
        var estimate = monitor.History.Performance.Single().Estimate;
        Assert.Equal(expected.Rows, estimate.Rows);
        foreach (var (e, a) in new[] { (expected.Accuracy, estimate.Accuracy), (expected.Precision, estimate.Precision), (expected.Recall, estimate.Recall), (expected.F1, estimate.F1), (expected.RocAuc, estimate.RocAuc) })
        {
            Assert.Equal(e.Value, a.Value, 1e-12);
            Assert.Equal(e.SamplingError, a.SamplingError, 1e-12);
        }

        await Until(() => monitor.Alerts.Firing.Contains("estimated-accuracy"));
    }

    [Fact]
    public void EstimatingPerformance_FromAPropertyTheOutputLacks_IsRefusedWhenTheMonitorIsMade()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddTracking().AddModelRegistry()
            .AddModelHost<Features, Score>("mlp", h => h.FollowAlias("production"))
            .AddMonitoring<Features, Score>("mlp", m => m.EstimatePerformance("Probability"))
            .UseInMemoryStores();
        using var provider = services.BuildServiceProvider();
        var error = Assert.ThrowsAny<Exception>(() => provider.GetRequiredKeyedService<ModelMonitor<Features, Score>>("mlp"));
        Assert.Contains("'Probability'", (error.InnerException ?? error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARestartedHost_ContinuesTheOpenWindowsAndTheDriftHistoryItsMonitorSavedOnStop()
    {
        var root = Directory.CreateTempSubdirectory("mlops-monitor-restart-").FullName;
        try
        {
            var random = new Random(9);
            // The first process closes one window of inputs, one of predictions and one of estimated scores and leaves 50
            // rows of each open; the second closes the next three with 150 more.
            var first = Enumerable.Range(0, 250).Select(_ => Features.Random(random, 0)).ToList();
            var second = Enumerable.Range(0, 150).Select(_ => Features.Random(random, 0)).ToList();
            var model = OnnxModels.Mlp(10, [16]);
            DriftWindow[] before2;
            await using (var before = Provider(root))
            {
                var tracker = before.GetRequiredService<ExperimentTracker>();
                var registry = before.GetRequiredService<ModelRegistry>();
                string runId;
                await using (var run = await tracker.StartRunAsync("mlp", "trained"))
                {
                    runId = run.Id;
                    await run.LogArtifactAsync("model.onnx", new MemoryStream(model));
                    await run.LogReferenceProfileAsync(ReferenceProfile.Build(Enumerable.Range(0, 300).Select(_ => Features.Random(random, 0))));
                    await run.LogPredictionProfileAsync(ReferenceProfile.Build(Enumerable.Range(0, 300).Select(_ => new Score { Value = random.NextSingle() })));
                    await run.LogPerformanceReferenceAsync(ReferenceScores, [.. ReferenceScores.Select(s => s > 0.5)]);
                }

                var version = await registry.RegisterModelFromRunAsync("mlp", runId, "model.onnx");
                await registry.SetAliasAsync("mlp", "production", version.Number);
                await MonitoredMlp.StartAsync(before);
                var host = before.GetRequiredService<ModelHost<Features, Score>>();
                first.ForEach(f => host.Predict(f));
                var monitor1 = before.GetRequiredKeyedService<ModelMonitor<Features, Score>>("mlp");
                Assert.NotNull(monitor1.PredictionDrift);
                await Until(() => monitor1.History.Windows.Count == 2 && monitor1.History.Performance.Count == 1);
                before2 = [.. monitor1.History.Windows];
            }

            await using var after = Provider(root);
            await MonitoredMlp.StartAsync(after);
            var monitor = after.GetRequiredKeyedService<ModelMonitor<Features, Score>>("mlp");
            var closed = new System.Collections.Concurrent.ConcurrentQueue<DriftReport>();
            monitor.WindowClosed += (_, r) => closed.Enqueue(r);
            var restartedHost = after.GetRequiredService<ModelHost<Features, Score>>();
            second.ForEach(f => restartedHost.Predict(f));

            await Until(() => closed.Count == 2);
            var reports = closed.ToArray();
            Assert.All(reports, r => Assert.Equal((200, 50 + 150), (r.Rows, r.Features[0].Values)));
            Assert.Single(reports, r => r.Features is [{ Feature: "prediction.Value" }]);
            var history = monitor.History.Windows;
            Assert.Equal(4, history.Count);
            Assert.Equal(before2, history.Take(2), DriftWindowComparer.Instance);
            Assert.Equal(
                reports.Select(r => r.Features.Select(f => (f.Feature, f.Score, f.Drifted)).ToList()).OrderBy(f => f[0].Feature),
                history.Skip(2).Select(w => w.Features.Select(f => (f.Feature, f.Score, f.Drifted)).ToList()).OrderBy(f => f[0].Feature),
                new SequenceComparer());
            Assert.True(history[1].ClosedAt <= history[2].ClosedAt);

            // The 50 scores left open before the restart and the 150 after it are one estimated window.
            await Until(() => monitor.History.Performance.Count == 2);
            var estimate = monitor.History.Performance[1].Estimate;
            double[] scores = [.. (await ScoreAsync(model, first.Skip(200).Concat(second))).Select(o => (double)o.Value)];
            var expected = PerformanceEstimator.Fit(ReferenceScores, [.. ReferenceScores.Select(s => s > 0.5)]).Estimate(scores);
            Assert.Equal((200, expected.Accuracy.Value, expected.RocAuc.Value), (estimate.Rows, estimate.Accuracy.Value, estimate.RocAuc.Value));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        static ServiceProvider Provider(string root)
        {
            var services = new ServiceCollection();
            services.AddMlOps(o => o.RootDirectory = root).AddTracking().AddModelRegistry()
                .AddModelHost<Features, Score>("mlp", h => h.FollowAlias("production"))
                .AddMonitoring<Features, Score>("mlp", m =>
                {
                    m.Drift.WindowSize = 200;
                    m.EstimatePerformance(nameof(Score.Value));
                })
                .UseSqlite();
            return services.BuildServiceProvider();
        }
    }

    /// <summary>Scores of a reference for performance estimation: evenly spread over [0, 1), positive above one half.</summary>
    private static readonly double[] ReferenceScores = [.. Enumerable.Range(0, 400).Select(i => i / 400.0)];

    /// <summary>
    /// A monitored host serving, as <c>production</c>, the model registered from a run that logged it and what
    /// <paramref name="log"/> adds (profiles, references).
    /// </summary>
    private static async Task<ServiceProvider> ServeFromRunAsync(byte[] model, Action<ModelMonitorOptions> monitoring, Func<ActiveRun, Task> log)
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddTracking().AddModelRegistry()
            .AddModelHost<Features, Score>("mlp", h => h.FollowAlias("production"))
            .AddMonitoring<Features, Score>("mlp", monitoring)
            .UseInMemoryStores();
        var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ModelRegistry>();
        string runId;
        await using (var run = await provider.GetRequiredService<ExperimentTracker>().StartRunAsync("mlp", "trained"))
        {
            runId = run.Id;
            await run.LogArtifactAsync("model.onnx", new MemoryStream(model));
            await log(run);
        }

        var version = await registry.RegisterModelFromRunAsync("mlp", runId, "model.onnx");
        await registry.SetAliasAsync("mlp", "production", version.Number);
        await MonitoredMlp.StartAsync(provider);
        return provider;
    }

    /// <summary>The model's outputs on rows, from a host of its own (what a training run computes on its data).</summary>
    private static async Task<List<Score>> ScoreAsync(byte[] model, IEnumerable<Features> rows)
    {
        var scoring = new ServiceCollection();
        scoring.AddMlOps().AddModelRegistry().AddModelHost<Features, Score>("mlp", h => h.PinVersion(1)).UseInMemoryStores();
        await using var scorer = scoring.BuildServiceProvider();
        var host = scorer.GetRequiredService<ModelHost<Features, Score>>();
        Assert.True(await host.SwapToAsync(await scorer.GetRequiredService<ModelRegistry>().RegisterModelAsync("mlp", new MemoryStream(model))));
        return [.. rows.Select(f => host.Predict(f))];
    }

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }

    /// <summary>Windows equal by value (the records hold lists, which compare by reference).</summary>
    private sealed class DriftWindowComparer : IEqualityComparer<DriftWindow>
    {
        public static readonly DriftWindowComparer Instance = new();

        public bool Equals(DriftWindow? x, DriftWindow? y) =>
            x is not null && y is not null && (x.ClosedAt, x.Rows, x.DatasetDrifted) == (y.ClosedAt, y.Rows, y.DatasetDrifted) && x.Features.SequenceEqual(y.Features);

        public int GetHashCode(DriftWindow obj) => obj.Rows;
    }

    private sealed class SequenceComparer : IEqualityComparer<List<(string Feature, double Score, bool Drifted)>>
    {
        public bool Equals(List<(string Feature, double Score, bool Drifted)>? x, List<(string Feature, double Score, bool Drifted)>? y) =>
            x is not null && y is not null && x.SequenceEqual(y);

        public int GetHashCode(List<(string Feature, double Score, bool Drifted)> obj) => obj.Count;
    }

    private sealed class RecordingHook : IRetrainHook<Features>
    {
        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public RetrainRequest<Features>? Request { get; private set; }

        public Task RetrainAsync(RetrainRequest<Features> request, CancellationToken cancellationToken)
        {
            Request = request;
            Called.TrySetResult();
            return Task.CompletedTask;
        }
    }
}
