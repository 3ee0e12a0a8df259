using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlOps.Sdk.AspNetCore;
using MlOps.Sdk.AspNetCore.Security;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// The data behind each dashboard page, fetched as the page fetches it (one request after another, over HTTP/1.1
/// keep-alive on loopback, signed in with an API key) from the management API over an embedded store of 100,000 runs
/// (<see cref="TrackingSearchScaleBenchmarks.FillAsync"/>: 10 experiments, 10 metrics, 10 params and 3 tags each), one
/// more run with a 1,000,000-point series, and a model with 20 versions, alias moves, approvals and lineage. Each page's
/// baseline is the same calls made directly on the SDK's services in the same process (no HTTP, no JSON); between them,
/// a bare minimal-API endpoint per call in the same application (same authentication and policy) that makes the direct
/// call and writes it with source-generated JSON: the least any HTTP API could cost. The store is filled once into
/// <c>$TMPDIR/mlops-dashboard-bench/</c> and reused (delete it to fill again).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class DashboardQueryBenchmarks
{
    private const int Runs = 100_000;
    private const int Points = 1_000_000;
    private const string Filter = "metrics.m0 > 0.9 AND params.p1 = 'v3'";
    private const string Model = "fraud";
    private static readonly RunSearchQuery FirstPage = new() { MaxResults = 50 };
    private static readonly RunSearchQuery Filtered = new() { Filter = Filter, OrderBy = ["metrics.m0 DESC"], MaxResults = 50 };
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "mlops-dashboard-bench");
    private static readonly string LongRun = new('f', 32);

    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private ExperimentTracker _tracker = null!;
    private ModelRegistry _registry = null!;
    private ILineage _lineage = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var complete = Path.Combine(Root, "complete");
        if (!File.Exists(complete))
        {
            if (Directory.Exists(Root))
            {
                Directory.Delete(Root, recursive: true);
            }

            Directory.CreateDirectory(Root);
            await FillAsync();
            await File.WriteAllTextAsync(complete, "filled\n");
        }

        var key = ApiKeys.Generate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication(ApiKeys.Scheme).AddMlOpsApiKeys(o => o.AddKey("viewer", ApiKeys.Hash(key), MlOpsPolicies.Read));
        Store(builder.Services);
        builder.Services.AddMlOpsHttp();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, DashboardBenchJson.Default));
        _app = builder.Build();
        _app.MapMlOpsManagement();
        MapBare(_app);
        await _app.StartAsync();
        _client = LoopbackHttp.Client(LoopbackHttp.AddressOf(_app), key);
        _tracker = _app.Services.GetRequiredService<ExperimentTracker>();
        _registry = _app.Services.GetRequiredService<ModelRegistry>();
        _lineage = _app.Services.GetRequiredService<ILineage>();
        Console.WriteLine($"// Runs page: {await RunsFilteredHttp()} bytes; run page: {await RunHttp()} bytes; model page: {await ModelHttp()} bytes");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private static IMlOpsBuilder Store(IServiceCollection services) =>
        services.AddMlOps(o => o.RootDirectory = Root).AddTracking().AddDatasets().AddModelRegistry(r => r.RequireApprovalFor("production")).UseSqlite();

    private static async Task FillAsync()
    {
        var identity = new Identity();
        var services = new ServiceCollection().AddLogging().AddSingleton<IActorIdentity>(identity);
        Store(services);
        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ExperimentTracker>();
        var elapsed = await TrackingSearchScaleBenchmarks.FillAsync(tracker, Runs);
        Console.WriteLine($"// Fill: {Runs} runs in {elapsed.TotalSeconds:0.0} s");
        var start = DateTimeOffset.UnixEpoch.AddYears(56).ToUnixTimeMilliseconds();
        var loss = Enumerable.Range(0, Points).Select(step => new Metric(1.0 / (1 + step * 0.001), step, start + step)).ToList();
        await tracker.ImportRunsAsync("long", [new RunImport("long", RunStatus.Finished, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch) { RunId = LongRun, Metrics = new Dictionary<string, IReadOnlyList<Metric>> { ["loss"] = loss } }]);

        var data = Directory.CreateDirectory(Path.Combine(Root, "data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "rows.csv"), "a,b\n1,2\n");
        var dataset = await provider.GetRequiredService<IDatasetRegistry>().SnapshotAsync("transactions", data);
        var registry = provider.GetRequiredService<ModelRegistry>();
        for (var version = 1; version <= 20; version++)
        {
            string runId;
            await using (var run = await tracker.StartRunAsync(Model, "train-" + version.ToString(CultureInfo.InvariantCulture)))
            {
                runId = run.Id;
                run.LogInput(dataset.AsInput("training"));
                await run.LogArtifactAsync("model.onnx", new MemoryStream(OnnxModels.AddConstant(version, 4)));
            }

            await registry.RegisterModelFromRunAsync(Model, runId, "model.onnx");

            identity.CurrentActor = "alice";
            await registry.SetAliasAsync(Model, "staging", version);
            if (version % 4 == 0)
            {
                var request = await registry.RequestApprovalAsync(Model, "production", version, "better");
                identity.CurrentActor = "bob";
                await registry.ApproveAsync(request.Id, "checked");
                identity.CurrentActor = "alice";
                await registry.SetAliasAsync(Model, "production", version, "approved");
            }
        }
    }

    /// <summary>One bare endpoint per call the pages make: the direct call, written as JSON.</summary>
    private static void MapBare(WebApplication app)
    {
        var json = DashboardBenchJson.Default;
        var bare = app.MapGroup("/bare").RequireAuthorization(MlOpsPolicies.Read);
        bare.MapGet("/runs", (ExperimentTracker t, string? filter) => t.SearchRunsAsync(filter is null ? FirstPage : Filtered));
        bare.MapGet("/runs/{id}", async (ExperimentTracker t, string id) => (await t.GetRunAsync(id))!);
        bare.MapGet("/runs/{id}/metrics/{key}", (ExperimentTracker t, string id, string key, int points) => t.GetMetricBucketsAsync(id, key, points));
        bare.MapGet("/models", (ModelRegistry r) => r.ListModelsAsync());
        bare.MapGet("/audit", (ModelRegistry r) => r.VerifyAuditLogAsync());
        bare.MapGet("/models/{name}", async (ModelRegistry r, string name) => (await r.GetModelAsync(name))!);
        bare.MapGet("/models/{name}/versions", (ModelRegistry r, string name) => r.ListVersionsAsync(name, 100));
        bare.MapGet("/models/{name}/history", (ModelRegistry r, string name) => r.GetAliasHistoryAsync(name));
        bare.MapGet("/models/{name}/aliases/{alias}/approvals", (ModelRegistry r, string name, string alias) => r.ListApprovalRequestsAsync(name, alias));
        bare.MapGet("/models/{name}/versions/{version}/lineage", (ILineage l, string name, int version) => l.ForModelVersionAsync(name, version));
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Runs page: first 50 of 100,000")]
    public async Task<int> RunsFirstPageDirect() => (await _tracker.SearchRunsAsync(FirstPage)).Runs.Count;

    [Benchmark, BenchmarkCategory("Runs page: first 50 of 100,000")]
    public Task<int> RunsFirstPageHttp() => GetAsync("/mlops/api/runs?maxResults=50");

    [Benchmark, BenchmarkCategory("Runs page: first 50 of 100,000")]
    public Task<int> RunsFirstPageBare() => GetAsync("/bare/runs");

    [Benchmark(Baseline = true), BenchmarkCategory("Runs page: filtered, by metric")]
    public async Task<int> RunsFilteredDirect() => (await _tracker.SearchRunsAsync(Filtered)).Runs.Count;

    [Benchmark, BenchmarkCategory("Runs page: filtered, by metric")]
    public Task<int> RunsFilteredHttp() => GetAsync("/mlops/api/runs?maxResults=50&orderBy=" + Uri.EscapeDataString("metrics.m0 DESC") + "&filter=" + Uri.EscapeDataString(Filter));

    [Benchmark, BenchmarkCategory("Runs page: filtered, by metric")]
    public Task<int> RunsFilteredBare() => GetAsync("/bare/runs?filter=1");

    /// <summary>A run and its 1,000,000-point series in 2,000 buckets.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Run page: 1,000,000-point chart")]
    public async Task<int> RunDirect() =>
        (await _tracker.GetRunAsync(LongRun))!.Metrics.Count + (await _tracker.GetMetricBucketsAsync(LongRun, "loss", 2_000)).Count;

    [Benchmark, BenchmarkCategory("Run page: 1,000,000-point chart")]
    public async Task<int> RunHttp() => await GetAsync($"/mlops/api/runs/{LongRun}") + await GetAsync($"/mlops/api/runs/{LongRun}/metrics/loss?points=2000");

    [Benchmark, BenchmarkCategory("Run page: 1,000,000-point chart")]
    public async Task<int> RunBare() => await GetAsync($"/bare/runs/{LongRun}") + await GetAsync($"/bare/runs/{LongRun}/metrics/loss?points=2000");

    /// <summary>Models and the audit log's verification.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Models page")]
    public async Task<int> ModelsDirect() => (await _registry.ListModelsAsync()).Count + ((await _registry.VerifyAuditLogAsync()).IsIntact ? 1 : 0);

    [Benchmark, BenchmarkCategory("Models page")]
    public async Task<int> ModelsHttp() => await GetAsync("/mlops/api/models") + await GetAsync("/mlops/api/audit/verification");

    [Benchmark, BenchmarkCategory("Models page")]
    public async Task<int> ModelsBare() => await GetAsync("/bare/models") + await GetAsync("/bare/audit");

    /// <summary>A model, its versions, its aliases' history and the approval requests of each alias.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Model page")]
    public async Task<int> ModelDirect()
    {
        var model = await _registry.GetModelAsync(Model);
        var count = (await _registry.ListVersionsAsync(Model, 100)).Versions.Count + (await _registry.GetAliasHistoryAsync(Model)).Count;
        foreach (var alias in model!.Aliases.Keys)
        {
            count += (await _registry.ListApprovalRequestsAsync(Model, alias)).Count;
        }

        return count;
    }

    [Benchmark, BenchmarkCategory("Model page")]
    public async Task<int> ModelHttp()
    {
        var bytes = await GetAsync($"/mlops/api/models/{Model}") + await GetAsync($"/mlops/api/models/{Model}/versions?maxResults=100") + await GetAsync($"/mlops/api/models/{Model}/aliases/history");
        foreach (var alias in new[] { "production", "staging" })
        {
            bytes += await GetAsync($"/mlops/api/models/{Model}/aliases/{alias}/approvals");
        }

        return bytes;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Lineage page")]
    public async Task<int> LineageDirect() => (await _lineage.ForModelVersionAsync(Model, 20)).Nodes.Count;

    [Benchmark, BenchmarkCategory("Lineage page")]
    public Task<int> LineageHttp() => GetAsync($"/mlops/api/models/{Model}/versions/20/lineage");

    [Benchmark, BenchmarkCategory("Lineage page")]
    public Task<int> LineageBare() => GetAsync($"/bare/models/{Model}/versions/20/lineage");

    [Benchmark, BenchmarkCategory("Model page")]
    public async Task<int> ModelBare()
    {
        var bytes = await GetAsync($"/bare/models/{Model}") + await GetAsync($"/bare/models/{Model}/versions") + await GetAsync($"/bare/models/{Model}/history");
        foreach (var alias in new[] { "production", "staging" })
        {
            bytes += await GetAsync($"/bare/models/{Model}/aliases/{alias}/approvals");
        }

        return bytes;
    }

    private async Task<int> GetAsync(string path)
    {
        using var response = await _client.GetAsync(path);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode ? bytes.Length : throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(bytes)}");
    }

    private sealed class Identity : IActorIdentity
    {
        public string CurrentActor { get; set; } = "alice";
    }
}

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    Converters = [typeof(DigestJsonConverter), typeof(RelativePathJsonConverter)])]
[JsonSerializable(typeof(RunSearchPage))]
[JsonSerializable(typeof(Run))]
[JsonSerializable(typeof(IReadOnlyList<MetricBucket>))]
[JsonSerializable(typeof(IReadOnlyList<RegisteredModel>))]
[JsonSerializable(typeof(RegisteredModel))]
[JsonSerializable(typeof(ModelVersionPage))]
[JsonSerializable(typeof(IReadOnlyList<AliasMove>))]
[JsonSerializable(typeof(IReadOnlyList<ApprovalRequest>))]
[JsonSerializable(typeof(LineageGraph))]
[JsonSerializable(typeof(MlOps.Sdk.Versioning.Audit.AuditVerification))]
internal sealed partial class DashboardBenchJson : JsonSerializerContext;
