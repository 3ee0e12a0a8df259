using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using MlOps.Sdk.AspNetCore;
using MlOps.Sdk.AspNetCore.Security;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// One prediction over HTTP/1.1 keep-alive on loopback, Kestrel and the client in this process, on the MLP
/// (10 → 32 → 16 → 1). The baseline is a bare minimal-API endpoint in the same application that reads the same JSON
/// with the same source-generated type information, passes the same authentication (an API key, the same policy), and
/// calls raw ONNX Runtime (<c>InferenceSession.Run</c> over an <see cref="OrtValue"/> on the request's array, one intra-op
/// thread, no spinning: the host's settings). Against it: <c>MapModel</c> (with its provenance headers) and the Open
/// Inference Protocol's infer endpoint on the same model. Latency: one client, one request at a time. Throughput: 64
/// clients at once, 16 requests each per operation group; the time per request is the inverse of the throughput.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HttpPredictBenchmarks
{
    private const int Features = 10;
    private const int Clients = 64;
    private const int RequestsPerClient = 16;
    private static readonly string Row = JsonSerializer.Serialize(new FraudRow { Features = [.. Enumerable.Range(0, Features).Select(i => i / 10f)] }, HttpBenchJson.Default.FraudRow);
    private static readonly string Infer = $$"""{"inputs":[{"name":"X","shape":[1,{{Features}}],"datatype":"FP32","data":[{{string.Join(",", Enumerable.Range(0, Features).Select(i => (i / 10f).ToString(System.Globalization.CultureInfo.InvariantCulture)))}}]}]}""";
    private WebApplication _app = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private HttpClient _client = null!;
    private HttpClient[] _clients = null!;
    private string _root = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var model = OnnxModels.Mlp(Features, [32, 16]);
        _root = Path.Combine(Path.GetTempPath(), "mlops-http-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var key = ApiKeys.Generate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication(ApiKeys.Scheme).AddMlOpsApiKeys(o => o.AddKey("bench", ApiKeys.Hash(key), MlOpsPolicies.Predict));
        builder.Services.AddMlOps(o => o.RootDirectory = _root).AddModelRegistry().UseSqlite()
            .AddModelHost<FraudRow, FraudScore>("fraud", h => h.FollowAlias("production"))
            .AddModelHost("fraud-tensors", h => h.FollowAlias("production"));
        builder.Services.AddMlOpsHttp();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, HttpBenchJson.Default));
        _app = builder.Build();
        var registry = _app.Services.GetRequiredService<ModelRegistry>();
        foreach (var name in new[] { "fraud", "fraud-tensors" })
        {
            await registry.SetAliasAsync(name, "production", (await registry.RegisterModelAsync(name, new MemoryStream(model))).Number);
        }

        using (var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, EnableCpuMemArena = false })
        {
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            _session = new InferenceSession(model, options);
        }

        _runOptions = new RunOptions();
        _app.MapModel<FraudRow, FraudScore>("fraud");
        _app.MapInferenceProtocol();
        _app.MapPost("/bare/predict", BarePredictAsync).RequireAuthorization(MlOpsPolicies.Predict);
        await _app.StartAsync();
        var address = LoopbackHttp.AddressOf(_app);
        _client = LoopbackHttp.Client(address, key);
        _clients = [.. Enumerable.Range(0, Clients).Select(_ => LoopbackHttp.Client(address, key))];
        await CheckAsync();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        foreach (var client in _clients.Append(_client))
        {
            client.Dispose();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        _session.Dispose();
        _runOptions.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "Bare endpoint + raw ORT")]
    [BenchmarkCategory("1 client")]
    public Task<int> Bare() => PostAsync(_client, "/bare/predict", Row);

    [Benchmark(Description = "MapModel")]
    [BenchmarkCategory("1 client")]
    public Task<int> MapModel() => PostAsync(_client, "/models/fraud/predict", Row);

    [Benchmark(Description = "OIP infer")]
    [BenchmarkCategory("1 client")]
    public Task<int> OipInfer() => PostAsync(_client, "/v2/models/fraud-tensors/infer", Infer);

    [Benchmark(Baseline = true, OperationsPerInvoke = Clients * RequestsPerClient, Description = "Bare endpoint + raw ORT")]
    [BenchmarkCategory("64 clients")]
    public Task Bare64() => ManyAsync("/bare/predict", Row);

    [Benchmark(OperationsPerInvoke = Clients * RequestsPerClient, Description = "MapModel")]
    [BenchmarkCategory("64 clients")]
    public Task MapModel64() => ManyAsync("/models/fraud/predict", Row);

    [Benchmark(OperationsPerInvoke = Clients * RequestsPerClient, Description = "OIP infer")]
    [BenchmarkCategory("64 clients")]
    public Task OipInfer64() => ManyAsync("/v2/models/fraud-tensors/infer", Infer);

    private async Task BarePredictAsync(HttpContext context)
    {
        var row = await JsonSerializer.DeserializeAsync(context.Request.Body, HttpBenchJson.Default.FraudRow, context.RequestAborted)
            ?? throw new BadHttpRequestException("The body is null.");
        using var input = OrtValue.CreateTensorValueFromMemory(row.Features, [1, Features]);
        using var outputs = _session.Run(_runOptions, ["X"], [input], ["Y"]);
        var score = new FraudScore { Score = outputs[0].GetTensorDataAsSpan<float>()[0] };
        await context.Response.WriteAsJsonAsync(score, HttpBenchJson.Default.FraudScore, contentType: null, context.RequestAborted);
    }

    private Task ManyAsync(string path, string body) => Task.WhenAll(_clients.Select(async client =>
    {
        for (var i = 0; i < RequestsPerClient; i++)
        {
            await PostAsync(client, path, body);
        }
    }));

    private static async Task<int> PostAsync(HttpClient client, string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(path, content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode ? bytes.Length : throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
    }

    /// <summary>The three endpoints give the same score before anything is measured.</summary>
    private async Task CheckAsync()
    {
        async Task<float> ScoreAsync(string path, string body, Func<JsonElement, float> read)
        {
            using var response = await _client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
            return read(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
        }

        var bare = await ScoreAsync("/bare/predict", Row, e => e.GetProperty("score").GetSingle());
        var mapped = await ScoreAsync("/models/fraud/predict", Row, e => e.GetProperty("score").GetSingle());
        var oip = await ScoreAsync("/v2/models/fraud-tensors/infer", Infer, e => e.GetProperty("outputs")[0].GetProperty("data")[0].GetSingle());
        if (bare != mapped || bare != oip)
        {
            throw new InvalidOperationException($"The endpoints disagree: bare {bare}, MapModel {mapped}, OIP {oip}.");
        }
    }

    public sealed class FraudRow
    {
        [ModelInput("X")]
        public float[] Features { get; set; } = [];
    }

    public sealed class FraudScore
    {
        [ModelOutput("Y")]
        public float Score { get; set; }
    }
}

[JsonSerializable(typeof(HttpPredictBenchmarks.FraudRow))]
[JsonSerializable(typeof(HttpPredictBenchmarks.FraudScore))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class HttpBenchJson : JsonSerializerContext;
