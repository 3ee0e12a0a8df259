// QuickStart: snapshot a generated dataset, train a few real models on it with ML.NET, track every run
// with MlOps.Sdk on the embedded default store (.mlops/ : SQLite + content-addressed files), export each
// model to ONNX, find the best run with a search, register its model, move `production` to it through an
// approval, print the lineage from data to alias, serve it and swap it live, then watch live traffic drift: verdicts,
// an HTML report, and a retrained model that starts in shadow.
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using MlOps.Sdk;
using MlOps.Sdk.Monitoring;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using QuickStart;

var root = args.Length > 0 ? args[0] : ".mlops";
var identity = new SampleIdentity();
var services = new ServiceCollection();
services.AddSingleton<IActorIdentity>(identity);
services.AddMlOps(o => o.RootDirectory = root)
        .AddTracking()
        .AddDatasets()
        .AddModelRegistry(r => r.RequireApprovalFor("production"))
        .AddModelHost<Transaction, FraudPrediction>("fraud", h => h.FollowAlias("production").ShadowTo("challenger"))
        .UseSqlite();
await using var provider = services.BuildServiceProvider();
var tracker = provider.GetRequiredService<ExperimentTracker>();
var datasets = provider.GetRequiredService<IDatasetRegistry>();
var registry = provider.GetRequiredService<ModelRegistry>();

var rows = FraudData.Generate(rows: 6000, seed: 7);
var dataDirectory = Directory.CreateDirectory(Path.Combine(root, "quickstart-data")).FullName;
await File.WriteAllBytesAsync(Path.Combine(dataDirectory, "transactions.csv"), FraudData.ToCsv(rows));
var snapshot = await datasets.SnapshotAsync("synthetic-fraud", dataDirectory);
Console.WriteLine($"dataset {snapshot.Name}/{snapshot.Version}: {snapshot.FileCount} file, {snapshot.TotalBytes:N0} bytes, {snapshot.Digest.ToString()[..19]}…");
var dataset = snapshot.AsInput("training");
var ml = new MLContext(seed: 1);
var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(rows), testFraction: 0.2, seed: 1);
var features = ml.Transforms.Concatenate("Features", nameof(Transaction.Amount), nameof(Transaction.Hour), nameof(Transaction.Distance), nameof(Transaction.MerchantRisk))
    .Append(ml.Transforms.NormalizeMinMax("Features"));

// What the models are trained on, profiled once: each run keeps it, so a served version finds its monitoring reference.
var trainingProfile = ReferenceProfile.Build(rows, include: name => name != nameof(Transaction.Label));
(string Model, double L2)[] candidates = [("sdca", 0.001), ("sdca", 0.1), ("lbfgs", 0.01), ("lbfgs", 1)];
const int epochs = 5;
foreach (var (model, l2) in candidates)
{
    await using var run = await tracker.StartRunAsync("fraud", $"{model}-l2-{l2.ToString(CultureInfo.InvariantCulture)}");
    run.LogParam("model", model);
    run.LogParam("l2", l2);
    run.LogParam("epochs", (long)epochs);
    run.LogInput(dataset);
    await run.LogReferenceProfileAsync(trainingProfile);

    ITransformer? trained = null;
    for (var epoch = 1; epoch <= epochs; epoch++)
    {
        var iterations = epoch * 2;
        IEstimator<ITransformer> trainer = model == "sdca"
            ? ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options { L2Regularization = (float)l2, MaximumNumberOfIterations = iterations })
            : ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options { L2Regularization = (float)l2, MaximumNumberOfIterations = iterations });
        trained = features.Append(trainer).Fit(split.TrainSet);
        var metrics = ml.BinaryClassification.Evaluate(trained.Transform(split.TestSet));
        run.LogMetric("auc", metrics.AreaUnderRocCurve, step: epoch);
        run.LogMetric("accuracy", metrics.Accuracy, step: epoch);
        run.LogMetric("log_loss", metrics.LogLoss, step: epoch);
        run.LogMetric("f1", metrics.F1Score, step: epoch);
    }

    using (var onnx = new MemoryStream())
    {
        ml.Model.ConvertToOnnx(trained!, split.TrainSet, onnx);
        onnx.Position = 0;
        var artifact = await run.LogArtifactAsync("model/model.onnx", onnx);
        Console.WriteLine($"run {run.Info.Name,-16} logged {artifact.Length,7:N0} bytes of ONNX as {artifact.Digest.ToString()[..19]}…");
    }
}

var best = await tracker.SearchRunsAsync(new RunSearchQuery
{
    ExperimentNames = ["fraud"],
    Filter = $"metrics.auc > 0.8 AND (params.model = 'sdca' OR params.model = 'lbfgs') AND datasets.digest = '{snapshot.Digest}'",
    OrderBy = ["metrics.auc DESC", "attributes.start_time DESC"],
    MaxResults = 3,
});

Console.WriteLine();
Console.WriteLine($"Best runs in {Path.GetFullPath(root)} (metrics.auc > 0.8, by AUC):");
Console.WriteLine($"{"run",-18}{"model",-8}{"l2",-8}{"auc",-8}{"accuracy",-10}{"artifact"}");
foreach (var run in best.Runs)
{
    Console.WriteLine($"{run.Info.Name,-18}{run.Params["model"],-8}{run.Params["l2"],-8}{run.Metrics["auc"].Value,-8:F4}{run.Metrics["accuracy"].Value,-10:F4}{run.Artifacts[0].Path}");
}

if (best.Runs.Count == 0)
{
    Console.Error.WriteLine("No run reached an AUC above 0.8.");
    return 1;
}

var buckets = await tracker.GetMetricBucketsAsync(best.Runs[0].Info.RunId, "auc", bucketCount: epochs);
Console.WriteLine();
Console.WriteLine($"AUC of {best.Runs[0].Info.Name} by epoch: {string.Join("  ", buckets.Select(b => $"{b.LastStep}:{b.Last.Value:F4}"))}");

// Register the best run's model and move `production` to it: the policy needs someone else's approval.
var version = await registry.RegisterModelFromRunAsync("fraud", best.Runs[0].Info.RunId, "model/model.onnx");
var inputs = string.Join(", ", version.Signature!.Inputs.Select(i => i.ToString()));
Console.WriteLine();
Console.WriteLine($"registered {version.Reference} ({version.Digest.ToString()![..19]}…), inputs {inputs}");
var request = await registry.RequestApprovalAsync("fraud", "production", version.Number, "best AUC on synthetic-fraud");
identity.CurrentActor = "reviewer";
await registry.ApproveAsync(request.Id, "metrics checked");
await registry.SetAliasAsync("fraud", "production", version.Number, "approved release");
var production = await registry.ResolveAsync("fraud@production");
Console.WriteLine($"fraud@production -> {production.Reference}, approved by reviewer; audit log intact: {(await registry.VerifyAuditLogAsync()).IsIntact}");

Console.WriteLine();
Console.WriteLine("Lineage of the production model:");
Console.WriteLine(await provider.GetRequiredService<ILineage>().ForModelVersionAsync("fraud", production.Number));

// Serve `production` in this process, and move it to the runner-up while a loop is predicting.
var host = provider.GetRequiredService<ModelHost<Transaction, FraudPrediction>>();
await host.StartAsync();
var challenger = await registry.RegisterModelFromRunAsync("fraud", best.Runs[1].Info.RunId, "model/model.onnx");
var served = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
using var stopServing = new CancellationTokenSource();
var loop = Task.Run(() =>
{
    var probe = rows[0];
    while (!stopServing.IsCancellationRequested)
    {
        var prediction = host.PredictWithProvenance(probe);
        served.AddOrUpdate(prediction.Version, 1, (_, n) => n + 1);
    }
});
var swapped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
host.Swapped += (_, v) => swapped.TrySetResult();
await Task.Delay(200);
identity.CurrentActor = "data-scientist";
var next = await registry.RequestApprovalAsync("fraud", "production", challenger.Number, "runner-up, for the demo");
identity.CurrentActor = "reviewer";
await registry.ApproveAsync(next.Id);
await registry.SetAliasAsync("fraud", "production", challenger.Number);
await swapped.Task.WaitAsync(TimeSpan.FromSeconds(30));
await Task.Delay(200);
await stopServing.CancelAsync();
await loop;
Console.WriteLine();
Console.WriteLine($"Served while fraud@production moved from {production.Reference} to {challenger.Reference}, without a failed call:");
foreach (var (number, count) in served.OrderBy(p => p.Key))
{
    Console.WriteLine($"  fraud/{number}: {count:N0} predictions");
}

var last = host.PredictWithProvenance(rows[0]);
Console.WriteLine($"now: P(fraud) = {last.Output.Probability:F4} from {last.ModelName}/{last.Version} ({last.Digest.ToString()[..19]}…, variant {last.Variant})");

// Monitor: the serving version's reference profile (from its training run), a drift monitor fed by the host, an alert
// on dataset drift, and a retrain hook that trains on the drifted window and points `challenger` (shadowed) at it.
var reference = await ReferenceProfiles.LoadForVersionAsync(tracker, host.CurrentVersion!);
using var monitor = new DriftMonitor<Transaction>(reference, new DriftOptions { WindowSize = 2000, KeepRows = true });
var alerts = new AlertEngine([AlertRule.Drift()]);
var retrainHook = new RetrainHook(ml, features, rows, registry);
await using var retrain = new RetrainTrigger<Transaction>(alerts, monitor, retrainHook, () => host.CurrentVersion);
var window = new TaskCompletionSource<DriftReport>(TaskCreationOptions.RunContinuationsAsynchronously);
monitor.WindowClosed += (_, report) =>
{
    alerts.Observe(report);
    window.TrySetResult(report);
};
using (monitor.Watch(host))
{
    foreach (var tx in FraudData.Generate(rows: 2000, seed: 11))
    {
        // Live traffic has moved: larger amounts, farther away.
        tx.Amount *= 2.5f;
        tx.Distance += 150;
        host.Predict(tx);
    }

    var drift = await window.Task.WaitAsync(TimeSpan.FromSeconds(60));
    Console.WriteLine();
    Console.WriteLine($"Drift of the last {drift.Rows:N0} predictions against the training data ({drift.DriftedFeatures} of {drift.Features.Count} features, dataset drift: {(drift.DatasetDrifted ? "yes" : "no")}):");
    foreach (var feature in drift.Features)
    {
        Console.WriteLine($"  {feature.Feature,-13}{feature.Test,-13}{feature.Score,10:G4}  {(feature.Drifted ? "drift" : "no drift")}");
    }

    var reportPath = Path.Combine(root, "drift-report.html");
    await drift.SaveHtmlAsync(reportPath, "fraud: live traffic vs training data");
    Console.WriteLine($"report: {Path.GetFullPath(reportPath)}");
}

await retrain.Running.WaitAsync(TimeSpan.FromMinutes(2));
var shadowed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using var listener = new System.Diagnostics.Metrics.MeterListener();
var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
listener.InstrumentPublished = (instrument, l) =>
{
    if (instrument.Name == "mlops.serving.shadow.comparisons")
    {
        l.EnableMeasurementEvents(instrument);
    }
};
listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
{
    foreach (var tag in tags)
    {
        if (tag.Key == "mlops.shadow.outcome" && tag.Value is string outcome)
        {
            outcomes.AddOrUpdate(outcome, value, (_, n) => n + value);
        }
    }
});
listener.Start();
Console.WriteLine();
Console.WriteLine($"retrained on the drifted window: {retrainHook.Registered!.Reference} is fraud@challenger, shadowing {host.CurrentVersion!.Reference}");
for (var attempt = 0; attempt < 100 && outcomes.GetValueOrDefault("agree") + outcomes.GetValueOrDefault("disagree") < 500; attempt++)
{
    foreach (var tx in FraudData.Generate(rows: 200, seed: 100 + attempt))
    {
        host.Predict(tx);
    }

    await Task.Delay(50);
}

Console.WriteLine($"shadow comparisons: {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value:N0}"))} (callers got production's answers)");
return 0;
