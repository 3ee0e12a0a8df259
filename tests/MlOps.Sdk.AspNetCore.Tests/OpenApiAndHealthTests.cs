using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using Xunit;

namespace MlOps.Sdk.AspNetCore.Tests;

/// <summary>The OpenAPI document of every endpoint, checked against the one committed; and probes that say the right thing.</summary>
public sealed class OpenApiAndHealthTests
{
    private static string Committed => Path.Combine(AppContext.BaseDirectory, "openapi", "mlops.json");

    [Fact]
    public async Task TheOpenApiDocument_IsGenerated_AndMatchesTheCommittedOne()
    {
        await using var server = await ApiServer.StartAsync(
            (services, root) =>
            {
                Scenario.Typed(services, root);
                services.AddOpenApi();
            },
            app =>
            {
                app.MapModel<Row, Sums>(Scenario.Model);
                app.MapInferenceProtocol();
                app.MapMlOpsManagement();
                app.MapOpenApi().AllowAnonymous();
            },
            seed: Scenario.Seed(OnnxModels.AddConstant(1f, 4)));

        var document = JsonNode.Parse(await server.Client().GetStringAsync("/openapi/v1.json"))!.AsObject();
        document.Remove("servers");
        var paths = document["paths"]!.AsObject();
        foreach (var path in new[] { "/models/adder/predict", "/models/adder/predict/batch", "/v2/models/{name}/infer", "/mlops/api/runs", "/mlops/api/approvals/{id}/approve", "/mlops/api/hosts/{name}/rollback" })
        {
            Assert.True(paths.ContainsKey(path), $"{path} is not in the document");
        }

        Assert.NotNull(paths["/models/adder/predict"]!["post"]!["requestBody"]!["content"]!["application/json"]);
        Assert.NotNull(paths["/mlops/api/models/{name}/aliases/{alias}"]!["put"]!["responses"]!["403"]);
        Assert.NotNull(document["components"]!["schemas"]!["AliasMove"]);

        var generated = document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
        if (Environment.GetEnvironmentVariable("MLOPS_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(Path.Combine(SourceDirectory(), "openapi", "mlops.json"), generated);
            return;
        }

        Assert.True(
            generated == (File.Exists(Committed) ? await File.ReadAllTextAsync(Committed) : ""),
            "The endpoints' OpenAPI document changed. Review it and commit it: MLOPS_UPDATE_OPENAPI=1 dotnet test --filter TheOpenApiDocument");
    }

    [Fact]
    public async Task Liveness_NeverDependsOnAModel_ReadinessNamesEachHost()
    {
        await using var server = await ApiServer.StartAsync(
            (services, root) =>
            {
                Scenario.Store(services, root).AddModelHost<Row, Sums>("missing", h => { h.FollowAlias("production"); h.RequireVersionAtStart = false; });
                services.AddMlOpsHttp();
            },
            app => app.MapMlOpsHealth());
        var probe = server.Client();

        var live = await probe.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Empty((await live.Content.ReadFromJsonAsync<JsonNode>())!["checks"]!.AsObject());
        var ready = await probe.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var check = (await ready.Content.ReadFromJsonAsync<JsonNode>())!["checks"]!["mlops-model-missing"]!;
        Assert.Equal("Unhealthy", check["status"]!.GetValue<string>());
        Assert.Contains("no version loaded", check["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
