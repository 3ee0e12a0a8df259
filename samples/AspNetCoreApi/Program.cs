// AspNetCoreApi: the fraud model served over HTTP the way a production service would do it.
//  - POST /models/fraud/predict          (MapModel; JWT users in role mlops.predict, or the API key of a service)
//  - POST /v2/models/fraud-tensors/infer (the Open Inference Protocol, for Triton / KServe clients)
//  - /mlops/api/...                      (management: promoters move aliases, approvers approve, never their own request)
//  - /health/live, /health/ready, /openapi/v1.json
// OpenTelemetry exports the SDK's meters and traces (MlOps.Sdk.*) to the console.
// `dotnet run --project samples/AspNetCoreApi -- --demo` also plays the people: it trains two models, has alice ask for
// each to go to production and bob approve it, shows alice's own approval refused, and calls the model as the
// scoring service while the alias moves; then it stops. Without --demo it serves until Ctrl+C and prints tokens to try.
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AspNetCoreApi;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MlOps.Sdk.AspNetCore;
using MlOps.Sdk.AspNetCore.Security;
using MlOps.Sdk.Versioning;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using QuickStart;

var demo = args.Contains("--demo");
var root = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? ".mlops-api";
var signingKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
var serviceKey = ApiKeys.Generate();

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls(demo ? "http://127.0.0.1:0" : "http://127.0.0.1:5080");
builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning);
builder.Services.AddMlOps(o => o.RootDirectory = root)
    .AddTracking()
    .AddModelRegistry(r => r.RequireApprovalFor("production"))
    .AddModelHost<Transaction, FraudPrediction>("fraud", h => { h.FollowAlias("production"); h.RequireVersionAtStart = false; h.PollInterval = TimeSpan.FromSeconds(1); })
    .AddModelHost("fraud-tensors", h => { h.FollowAlias("production"); h.RequireVersionAtStart = false; h.PollInterval = TimeSpan.FromSeconds(1); })
    .UseSqlite();

// Authentication is the application's own: JWT bearer for people, hashed API keys for services.
builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
    .AddJwtBearer(o =>
    {
        o.MapInboundClaims = false;
        o.TokenValidationParameters = new() { ValidIssuer = "sample", ValidAudience = "mlops", IssuerSigningKey = signingKey, NameClaimType = "name", RoleClaimType = "role" };
    })
    .AddMlOpsApiKeys(keys => keys.AddKey("scoring-service", ApiKeys.Hash(serviceKey), MlOpsPolicies.Predict));
builder.Services.AddAuthorization(o => o.DefaultPolicy = new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme, ApiKeys.Scheme).RequireAuthenticatedUser().Build());
builder.Services.AddMlOpsHttp(http => http.RateLimitPermits = 1_000);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, SampleJson.Default));
builder.Services.AddOpenApi();
builder.Services.AddOpenTelemetry()
    .WithMetrics(m => m.AddMeter("MlOps.Sdk.*").AddConsoleExporter())
    .WithTracing(t => t.AddSource("MlOps.Sdk.*").AddConsoleExporter());

var app = builder.Build();
app.MapModel<Transaction, FraudPrediction>("fraud");
app.MapInferenceProtocol();
app.MapMlOpsManagement();
app.MapMlOpsHealth();
app.MapOpenApi();
await app.StartAsync();
var address = app.Urls.First();

string Token(string user, params string[] roles) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
{
    Issuer = "sample",
    Audience = "mlops",
    Claims = new Dictionary<string, object> { ["name"] = user, ["role"] = roles },
    Expires = DateTime.UtcNow.AddHours(8),
    SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.HmacSha256),
});

var alice = Token("alice", MlOpsPolicies.Promote, MlOpsPolicies.Approve, MlOpsPolicies.Read);
var bob = Token("bob", MlOpsPolicies.Approve, MlOpsPolicies.Read);
if (!demo)
{
    Console.WriteLine($"Serving on {address}. Try:");
    Console.WriteLine($"  curl -H 'X-Api-Key: {serviceKey}' -H 'Content-Type: application/json' -d '{{\"amount\":900,\"hour\":3,\"distance\":120,\"merchantRisk\":0.9}}' {address}/models/fraud/predict");
    Console.WriteLine($"  alice (promoter): {alice}");
    Console.WriteLine($"  bob (approver):   {bob}");
    Console.WriteLine("Run with --demo to train, approve and promote models first.");
    await app.WaitForShutdownAsync();
    return;
}

using var service = Client(address, apiKey: serviceKey);
using var aliceClient = Client(address, bearer: alice);
using var bobClient = Client(address, bearer: bob);
var registry = app.Services.GetRequiredService<ModelRegistry>();
foreach (var (trainer, seed) in new[] { ("sdca", 1), ("lbfgs", 2) })
{
    var onnx = SampleModels.Train(trainer, seed);
    foreach (var name in new[] { "fraud", "fraud-tensors" })
    {
        var version = await registry.RegisterModelAsync(name, new MemoryStream(onnx));
        Console.WriteLine($"registered {name}/{version.Number} ({trainer})");
        await PromoteAsync(name, version.Number);
    }

    var served = await WaitForVersionAsync(service, seed);
    Console.WriteLine($"scoring-service: probability {served.Probability:F3}, computed by fraud/{served.Version} ({served.Variant})");
}

// A Triton or KServe client reads the metadata, then sends typed tensors.
var metadata = (await service.GetFromJsonAsync<JsonNode>("/v2/models/fraud-tensors"))!;
var values = new Dictionary<string, double> { ["Amount"] = 900, ["Hour"] = 3, ["Distance"] = 120, ["MerchantRisk"] = 0.9 };
var inputs = new JsonArray([.. metadata["inputs"]!.AsArray().Select(input => (JsonNode)new JsonObject
{
    ["name"] = input!["name"]!.GetValue<string>(),
    ["shape"] = new JsonArray(1, 1),
    ["datatype"] = input["datatype"]!.GetValue<string>(),
    ["data"] = input["datatype"]!.GetValue<string>() == "BOOL" ? new JsonArray(false) : new JsonArray(values.GetValueOrDefault(input["name"]!.GetValue<string>())),
})]);
var probability = metadata["outputs"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()).First(n => n.StartsWith("Probability", StringComparison.Ordinal));
var infer = await service.PostAsJsonAsync("/v2/models/fraud-tensors/infer", new JsonObject { ["id"] = "demo-1", ["inputs"] = inputs, ["outputs"] = new JsonArray(new JsonObject { ["name"] = probability }) });
Console.WriteLine($"open inference protocol: {(int)infer.StatusCode} {await infer.Content.ReadAsStringAsync()}");
await foreach (var entry in registry.ReadAuditLogAsync())
{
    Console.WriteLine($"audit {entry.Sequence,3} {entry.Actor,-8} {entry.Action,-18} {entry.Subject} {entry.After}");
}

await app.StopAsync();
return;

async Task PromoteAsync(string model, int version)
{
    var asked = await (await aliceClient.PostAsJsonAsync($"/mlops/api/models/{model}/aliases/production/approvals", new { version, reason = "sample" })).Content.ReadFromJsonAsync<JsonNode>();
    var id = asked!["id"]!.GetValue<long>();
    var own = await aliceClient.PostAsJsonAsync($"/mlops/api/approvals/{id}/approve", new { comment = "my own" });
    Console.WriteLine($"alice approves her own request {id}: {(int)own.StatusCode} {(await own.Content.ReadFromJsonAsync<JsonNode>())!["detail"]}");
    var approved = await bobClient.PostAsJsonAsync($"/mlops/api/approvals/{id}/approve", new { comment = "report checked" });
    Console.WriteLine($"bob approves request {id}: {(int)approved.StatusCode}");
    var moved = await aliceClient.PutAsJsonAsync($"/mlops/api/models/{model}/aliases/production", new { version, reason = $"approved in request {id}" });
    Console.WriteLine($"alice moves {model}@production to {version}: {(int)moved.StatusCode}");
}

static async Task<(float Probability, int Version, string Variant)> WaitForVersionAsync(HttpClient client, int version)
{
    var transaction = new Transaction { Amount = 900, Hour = 3, Distance = 120, MerchantRisk = 0.9f };
    for (var attempt = 0; ; attempt++)
    {
        using var response = await client.PostAsJsonAsync("/models/fraud/predict", transaction, SampleJson.Default.Transaction);
        if (response.IsSuccessStatusCode && int.Parse(response.Headers.GetValues("MlOps-Model-Version").Single()) == version)
        {
            var prediction = (await response.Content.ReadFromJsonAsync(SampleJson.Default.FraudPrediction))!;
            return (prediction.Probability, version, response.Headers.GetValues("MlOps-Model-Variant").Single());
        }

        if (attempt == 100)
        {
            throw new InvalidOperationException($"The host did not serve version {version}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await Task.Delay(100);
    }
}

static HttpClient Client(string address, string? bearer = null, string? apiKey = null)
{
    var client = new HttpClient { BaseAddress = new Uri(address) };
    if (bearer is not null)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
    }

    if (apiKey is not null)
    {
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
    }

    return client;
}
