using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Audit;
using Xunit;

namespace MlOps.Sdk.AspNetCore.Tests;

/// <summary>The management API with real identities: roles per capability, the two-person rule, and the audit log naming who did what.</summary>
public sealed class ManagementApiTests
{
    private const string Api = "/mlops/api";

    private static Task<ApiServer> StartAsync() => Scenario.StartAsync(
        registry: r => r.RequireApprovalFor("production"),
        map: app =>
        {
            app.MapModel<Row, Sums>(Scenario.Model);
            app.MapMlOpsManagement();
        },
        model: OnnxModels.AddConstant(1f, 4));

    private static async Task<List<AuditEntry>> AuditAsync(ApiServer server)
    {
        var entries = new List<AuditEntry>();
        await foreach (var entry in server.Services.GetRequiredService<ModelRegistry>().ReadAuditLogAsync())
        {
            entries.Add(entry);
        }

        return entries;
    }

    [Fact]
    public async Task TheTwoPersonRule_HoldsWithRealIdentities_AndTheAuditLogNamesThem()
    {
        await using var server = await StartAsync();
        var registry = server.Services.GetRequiredService<ModelRegistry>();
        await registry.RegisterModelAsync(Scenario.Model, new MemoryStream(OnnxModels.AddConstant(2f, 4)));
        var alice = server.Client("alice", MlOpsPolicies.Promote, MlOpsPolicies.Approve, MlOpsPolicies.Read);
        var bob = server.Client("bob", MlOpsPolicies.Approve);
        var viewer = server.Client("victor", MlOpsPolicies.Read);

        // Without approval, the protected alias does not move.
        var refusedMove = await alice.PutAsJsonAsync($"{Api}/models/adder/aliases/production", new { version = 2 });
        Assert.Equal(HttpStatusCode.Forbidden, refusedMove.StatusCode);

        var asked = await alice.PostAsJsonAsync($"{Api}/models/adder/aliases/production/approvals", new { version = 2, reason = "better recall" });
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        var id = (await asked.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<long>();

        var own = await alice.PostAsJsonAsync($"{Api}/approvals/{id}/approve", new { comment = "lgtm" });
        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Contains("another person", (await own.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync($"{Api}/approvals/{id}/approve", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client().PostAsJsonAsync($"{Api}/approvals/{id}/approve", new { })).StatusCode);

        var approved = await bob.PostAsJsonAsync($"{Api}/approvals/{id}/approve", new { comment = "checked the report" });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("Approved", (await approved.Content.ReadFromJsonAsync<JsonNode>())!["state"]!.GetValue<string>());
        var moved = await alice.PutAsJsonAsync($"{Api}/models/adder/aliases/production", new { version = 2, reason = "approved in request " + id });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal("alice", (await moved.Content.ReadFromJsonAsync<JsonNode>())!["actor"]!.GetValue<string>());

        var audit = await AuditAsync(server);
        Assert.Contains(audit, e => e is { Action: "approval.refused", Actor: "alice" } && e.Reason!.Contains("cannot approve", StringComparison.Ordinal));
        Assert.Contains(audit, e => e is { Action: "approval.request", Actor: "alice" });
        Assert.Contains(audit, e => e is { Action: "approval.approve", Actor: "bob" });
        Assert.Equal("alice", audit.Last(e => e.Action.StartsWith("alias", StringComparison.Ordinal)).Actor);
        Assert.DoesNotContain(audit, e => e.Action == "approval.approve" && e.Actor == "alice");
        Assert.True((await registry.VerifyAuditLogAsync()).IsIntact);

        var requests = await viewer.GetFromJsonAsync<JsonArray>($"{Api}/models/adder/aliases/production/approvals");
        Assert.Equal(["bob"], requests!.Single()!["decisions"]!.AsArray().Select(d => d!["approver"]!.GetValue<string>()));
        var history = await viewer.GetFromJsonAsync<JsonArray>($"{Api}/models/adder/aliases/production/history");
        Assert.Equal([1, 2], history!.Select(m => m!["toVersion"]!.GetValue<int>()));
    }

    [Fact]
    public async Task HostActions_PinUnpinAndRollback_AreAuditedWithTheOperator()
    {
        await using var server = await Scenario.StartAsync(
            map: app =>
            {
                app.MapModel<Row, Sums>(Scenario.Model);
                app.MapMlOpsManagement();
            });
        var registry = server.Services.GetRequiredService<ModelRegistry>();
        await registry.RegisterModelAsync(Scenario.Model, new MemoryStream(OnnxModels.AddConstant(2f, 4)));
        var operatorClient = server.Client("oscar", MlOpsPolicies.Promote);

        var pinned = await (await operatorClient.PostAsJsonAsync($"{Api}/hosts/adder/pin", new { version = 2, reason = "incident 12" })).Content.ReadFromJsonAsync<JsonNode>();
        Assert.Equal(2, pinned!["version"]!.GetValue<int>());
        var rolledBack = await (await operatorClient.PostAsJsonAsync($"{Api}/hosts/adder/rollback", new { comment = "worse" })).Content.ReadFromJsonAsync<JsonNode>();
        Assert.Equal(1, rolledBack!["version"]!.GetValue<int>());
        var unpinned = await operatorClient.PostAsync($"{Api}/hosts/adder/unpin", null);
        Assert.Equal(HttpStatusCode.OK, unpinned.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await operatorClient.PostAsync($"{Api}/hosts/nosuch/unpin", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client("victor", MlOpsPolicies.Read).PostAsync($"{Api}/hosts/adder/unpin", null)).StatusCode);

        var actions = (await AuditAsync(server)).Where(e => e.Action.StartsWith("host.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["host.pin", "host.rollback", "host.unpin"], actions.Select(a => a.Action));
        Assert.All(actions, a => Assert.Equal("oscar", a.Actor));
        Assert.Equal("incident 12", actions[0].Reason);
        Assert.Equal("serves version 2", actions[0].After);
    }

    [Fact]
    public async Task Reads_SearchRuns_DownsampleMetrics_AndShowModelsVersionsLineageAndTheAuditCheck()
    {
        await using var server = await Scenario.StartAsync(
            map: app =>
            {
                app.MapModel<Row, Sums>(Scenario.Model);
                app.MapMlOpsManagement();
            });
        var tracker = server.Services.GetRequiredService<ExperimentTracker>();
        string wanted;
        await using (var run = await tracker.StartRunAsync("fraud", "lbfgs"))
        {
            wanted = run.Id;
            run.LogParam("model", "lbfgs");
            for (var step = 0; step < 10_000; step++)
            {
                run.LogMetric("loss", 1.0 / (step + 1), step);
            }

            run.LogMetric("auc", 0.95);
        }

        await using (var other = await tracker.StartRunAsync("fraud", "sgd"))
        {
            other.LogParam("model", "sgd");
            other.LogMetric("auc", 0.80);
        }

        await tracker.FlushAsync();
        var reader = server.Client("victor", MlOpsPolicies.Read);

        var page = await reader.GetFromJsonAsync<JsonNode>($"{Api}/runs?experiment=fraud&filter={Uri.EscapeDataString("metrics.auc > 0.9 AND params.model = 'lbfgs'")}");
        Assert.Equal([wanted], page!["runs"]!.AsArray().Select(r => r!["info"]!["runId"]!.GetValue<string>()));
        var bad = await reader.GetAsync($"{Api}/runs?filter={Uri.EscapeDataString("metrics.auc >>> 1")}");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var history = await reader.GetFromJsonAsync<JsonNode>($"{Api}/runs/{wanted}/metrics/loss?points=100");
        var buckets = history!["buckets"]!.AsArray();
        Assert.InRange(buckets.Count, 50, 100);
        Assert.Equal(10_000, buckets.Sum(b => b!["count"]!.GetValue<long>()));
        Assert.Equal(1.0, buckets[0]!["max"]!.GetValue<double>());
        Assert.Equal(HttpStatusCode.BadRequest, (await reader.GetAsync($"{Api}/runs/{wanted}/metrics/loss?points=1000000")).StatusCode);

        var models = await reader.GetFromJsonAsync<JsonArray>($"{Api}/models");
        Assert.Equal(1, models!.Single()!["aliases"]!["production"]!.GetValue<int>());
        var version = await reader.GetFromJsonAsync<JsonNode>($"{Api}/models/adder/versions/1");
        Assert.StartsWith("sha256:", version!["digest"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("X", version["signature"]!["inputs"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("Ready", version["status"]!.GetValue<string>());
        var versions = await reader.GetFromJsonAsync<JsonNode>($"{Api}/models/adder/versions?maxResults=10");
        Assert.Single(versions!["versions"]!.AsArray());
        var lineage = await reader.GetFromJsonAsync<JsonNode>($"{Api}/models/adder/versions/1/lineage");
        Assert.Contains(lineage!["nodes"]!.AsArray(), n => n!["kind"]!.GetValue<string>() == "Alias");
        var verification = await reader.GetFromJsonAsync<JsonNode>($"{Api}/audit/verification");
        Assert.True(verification!["isIntact"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"{Api}/models/nosuch")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"{Api}/drift/adder")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client("scorer", MlOpsPolicies.Predict).GetAsync($"{Api}/models")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client().GetAsync($"{Api}/models")).StatusCode);
    }

    [Fact]
    public async Task AnAnonymousChange_IsRefused_EvenWhenTheApiAllowsAnonymousCallers()
    {
        await using var server = await Scenario.StartAsync(map: app => app.MapMlOpsManagement().AllowAnonymous());
        var anonymous = server.Client();

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"{Api}/models")).StatusCode);
        var refused = await anonymous.PutAsJsonAsync($"{Api}/models/adder/aliases/staging", new { version = 1 });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain(await AuditAsync(server), e => e.Subject == "adder@staging");
    }
}
