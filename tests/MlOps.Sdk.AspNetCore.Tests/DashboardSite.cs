using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MlOps.Sdk.Monitoring;
using MlOps.Sdk.Monitoring.Quality;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Tests;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.AspNetCore.Tests;

/// <summary>
/// One server, store and browser for the dashboard's tests, filled once: a dataset version, the run trained on it and
/// the model versions registered from runs (the third with a wider input), 'production' and 'challenger' aliases, a
/// monitored host with a shadow that has served 200 predictions (the last windows shifted), four runs with AUC curves,
/// and one run with a 1,000,000-point series.
/// </summary>
public sealed class DashboardSite : IAsyncLifetime
{
    public const int Predictions = 200;

    /// <summary>Windows of estimated performance in the monitor's history, the first <see cref="RealisedWindows"/> with labels.</summary>
    public const int PerformanceWindows = 6;

    public const int RealisedWindows = 4;

    private const int PerformanceWindowRows = 300;
    private IPlaywright _playwright = null!;

    internal ApiServer Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string LongRun { get; private set; } = "";

    public string TrainingRun { get; private set; } = "";

    public async Task InitializeAsync()
    {
        string[] browsers = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
        DebianPackage.EnsureInstalled("chromium", () => browsers.Any(File.Exists));
        Server = await ApiServer.StartAsync(
            (services, root) => Scenario.Store(services, root, r => r.RequireApprovalFor("production"))
                .AddModelHost<Row, Sums>(Scenario.Model, h => h.FollowAlias("production").ShadowTo("challenger"))
                .AddMonitoring<Row, Sums>(Scenario.Model, m => m.Drift.WindowSize = 50)
                .Services.AddMlOpsHttp().ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, TestJson.Default)),
            app =>
            {
                app.MapModel<Row, Sums>(Scenario.Model);
                app.MapMlOpsManagement();
                app.MapMlOpsDashboard();
            },
            seed: SeedAsync);
        var tracker = Server.Services.GetRequiredService<ExperimentTracker>();
        foreach (var (model, auc) in new[] { ("lbfgs", 0.95), ("lbfgs", 0.93), ("sdca", 0.97), ("lbfgs", 0.80) })
        {
            await using var run = await tracker.StartRunAsync("fraud", $"{model}-{auc}");
            run.LogParam("model", model);
            run.LogParam("l2", model == "sdca" ? 0.1 : 0.01);
            for (var step = 1; step <= 5; step++)
            {
                run.LogMetric("auc", auc - (5 - step) * 0.02, step);
            }
        }

        await using (var run = await tracker.StartRunAsync("fraud", "long"))
        {
            LongRun = run.Id;
            for (var step = 0; step < 1_000_000; step++)
            {
                run.LogMetric("loss", 1.0 / (1 + step * 0.001) + (step % 1000 == 0 ? 0.5 : 0), step);
            }
        }

        await tracker.FlushAsync();
        await ServeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = browsers.First(File.Exists),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Server.DisposeAsync();
    }

    private async Task SeedAsync(string root)
    {
        var services = new ServiceCollection().AddLogging();
        Scenario.Store(services, root);
        await using var provider = services.BuildServiceProvider();
        var data = Directory.CreateDirectory(Path.Combine(root, "data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "rows.csv"), "a,b,c,d\n0.1,0.2,0.3,0.4\n");
        var dataset = await provider.GetRequiredService<IDatasetRegistry>().SnapshotAsync("transactions", data);
        var tracker = provider.GetRequiredService<ExperimentTracker>();
        var registry = provider.GetRequiredService<ModelRegistry>();
        var random = new Random(3);
        var reference = ReferenceProfile.Build(Enumerable.Range(0, 500).Select(_ => new Row { Features = [.. Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble())] }));
        foreach (var (name, model) in new[] { ("trained", OnnxModels.AddConstant(1f, 4)), ("retrained", OnnxModels.AddConstant(1f, 4)), ("wider", OnnxModels.AddConstant(1f, 5)) })
        {
            string runId;
            await using (var run = await tracker.StartRunAsync("adder", name))
            {
                runId = run.Id;
                run.LogInput(dataset.AsInput("training"));
                await run.LogArtifactAsync("model.onnx", new MemoryStream(model));
                await run.LogReferenceProfileAsync(reference);
            }

            TrainingRun = TrainingRun == "" ? runId : TrainingRun;
            await registry.RegisterModelFromRunAsync(Scenario.Model, runId, "model.onnx");
        }

        await registry.SetAliasAsync(Scenario.Model, "production", 1, "first release");
        await registry.SetAliasAsync(Scenario.Model, "challenger", 2, "retrained");
    }

    /// <summary>200 predictions: two windows like the reference, then two shifted (every feature drifts).</summary>
    private async Task ServeAsync()
    {
        using var scorer = Server.Client("scorer", MlOpsPolicies.Predict);
        var random = new Random(5);
        for (var i = 0; i < Predictions; i++)
        {
            var values = Enumerable.Range(0, 4).Select(_ => (i < Predictions / 2 ? 0 : 5) + random.NextDouble()).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var response = await scorer.PostAsync("/models/adder/predict", new StringContent($$"""{"features":[{{string.Join(',', values)}}]}""", Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
        }

        var monitor = Server.Services.GetRequiredKeyedService<ModelMonitor<Row, Sums>>(Scenario.Model);
        for (var attempt = 0; attempt < 200 && (monitor.LastReport?.DatasetDrifted != true); attempt++)
        {
            await Task.Delay(50);
        }

        EstimatePerformance(monitor.History);
    }

    /// <summary>
    /// Six windows of a calibrated classifier's estimated performance in the monitor's history, the first four with the
    /// realised quality of the labels drawn for them (a quality monitor's windows).
    /// </summary>
    private static void EstimatePerformance(DriftHistory history)
    {
        var random = new Random(6);
        double[] Scores(int n) => [.. Enumerable.Range(0, n).Select(_ => random.NextDouble())];
        bool Label(double probability) => random.NextDouble() < probability;
        var reference = Scores(2_000);
        var estimator = PerformanceEstimator.Fit(reference, [.. reference.Select(Label)]);
        var quality = new ClassificationQualityMonitor(windowSize: PerformanceWindowRows);
        QualityReport? realised = null;
        quality.WindowClosed += (_, report) => realised = report;
        var start = DateTimeOffset.UtcNow.AddMinutes(-PerformanceWindows);
        for (var w = 0; w < PerformanceWindows; w++)
        {
            var scores = Scores(PerformanceWindowRows);
            realised = null;
            for (var i = 0; i < scores.Length && w < RealisedWindows; i++)
            {
                quality.RecordPrediction($"{w}/{i}", (scores[i], scores[i] >= 0.5));
                quality.RecordLabel($"{w}/{i}", Label(scores[i]));
            }

            history.Add(estimator.Estimate(scores), start.AddMinutes(w), realised);
        }
    }
}
