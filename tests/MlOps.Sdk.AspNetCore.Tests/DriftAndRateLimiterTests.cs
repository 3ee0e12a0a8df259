using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Monitoring;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.AspNetCore.Tests;

/// <summary>The drift report of a monitored model over the management API; and ASP.NET Core's own rate limiter on the endpoints.</summary>
public sealed class DriftAndRateLimiterTests
{
    [Fact]
    public async Task TheDriftReport_OfTheMonitoredModel_IsServedOnceAWindowCloses()
    {
        await using var server = await ApiServer.StartAsync(
            (services, root) =>
            {
                Scenario.Typed(services, root).AddMonitoring<Row, Sums>(Scenario.Model, m => m.Drift.WindowSize = 50);
            },
            app =>
            {
                app.MapModel<Row, Sums>(Scenario.Model);
                app.MapMlOpsManagement();
            },
            seed: async root =>
            {
                var services = new ServiceCollection().AddLogging();
                Scenario.Store(services, root);
                await using var provider = services.BuildServiceProvider();
                var random = new Random(3);
                string runId;
                await using (var run = await provider.GetRequiredService<ExperimentTracker>().StartRunAsync("adder", "trained"))
                {
                    runId = run.Id;
                    await run.LogArtifactAsync("model.onnx", new MemoryStream(OnnxModels.AddConstant(1f, 4)));
                    await run.LogReferenceProfileAsync(ReferenceProfile.Build(Enumerable.Range(0, 500).Select(_ => new Row { Features = [.. Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble())] })));
                }

                var registry = provider.GetRequiredService<ModelRegistry>();
                var version = await registry.RegisterModelFromRunAsync(Scenario.Model, runId, "model.onnx");
                await registry.SetAliasAsync(Scenario.Model, "production", version.Number);
            });
        var reader = server.Client("victor", MlOpsPolicies.Read);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/mlops/api/drift/adder")).StatusCode);

        var scorer = server.Client("scorer", MlOpsPolicies.Predict);
        for (var i = 0; i < 50; i++)
        {
            var shifted = 5 + i % 7;
            var response = await scorer.PostAsync("/models/adder/predict", new StringContent($$"""{"features":[{{shifted}},{{shifted}},{{shifted}},{{shifted}}]}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        JsonNode? report = null;
        for (var attempt = 0; attempt < 100 && report is null; attempt++)
        {
            var response = await reader.GetAsync("/mlops/api/drift/adder");
            report = response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
            await Task.Delay(report is null ? 100 : 0);
        }

        Assert.NotNull(report);
        Assert.Equal(50, report["rows"]!.GetValue<int>());
        Assert.NotEmpty(report["features"]!.AsArray());
        Assert.True(report["features"]!.AsArray().All(f => f!["drifted"]!.GetValue<bool>()), report.ToJsonString());
    }

    [Fact]
    public async Task TheApplicationsOwnRateLimitingPolicy_AppliesToTheEndpoints_ThroughAspNetCoresMiddleware()
    {
        await using var server = await ApiServer.StartAsync(
            (services, root) =>
            {
                Scenario.Typed(services, root);
                services.AddRateLimiter(o =>
                {
                    o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                    o.AddPolicy("per-user", context => RateLimitPartition.GetFixedWindowLimiter(
                        context.User.Identity?.Name ?? "anonymous",
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = 3, Window = TimeSpan.FromMinutes(1) }));
                });
            },
            app =>
            {
                app.UseRateLimiter();
                app.MapModel<Row, Sums>(Scenario.Model).RequireRateLimiting("per-user");
            },
            seed: Scenario.Seed(OnnxModels.AddConstant(1f, 4)));
        var client = server.Client("scorer", MlOpsPolicies.Predict);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await client.PostAsync("/models/adder/predict", new StringContent("""{"features":[1,2,3,4]}""", Encoding.UTF8, "application/json"))).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }
}
