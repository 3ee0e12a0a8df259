using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Cli.Tests;

/// <summary>
/// The tool end to end, as a process over an embedded store the test fills: exit codes, the <c>--json</c> shapes, one
/// line per error on stderr, and redirected output free of terminal codes (no progress bar, no colour).
/// </summary>
public sealed class CliTests : IAsyncLifetime
{
    private readonly string _store = Directory.CreateTempSubdirectory("mlops-cli-").FullName;
    private string _lbfgs = "";

    public async Task InitializeAsync()
    {
        await using var provider = Provider("alice");
        var tracker = provider.GetRequiredService<ExperimentTracker>();
        foreach (var (model, auc) in new[] { ("lbfgs", 0.95), ("sdca", 0.97), ("lbfgs", 0.85) })
        {
            await using var run = await tracker.StartRunAsync("fraud", $"{model}-{auc}");
            run.LogParam("model", model);
            run.LogMetric("auc", auc);
            if (auc == 0.95)
            {
                _lbfgs = run.Id;
            }
        }

        await tracker.FlushAsync();
        var registry = provider.GetRequiredService<ModelRegistry>();
        await registry.SetAliasAsync("fraud", "staging", (await registry.RegisterModelAsync("fraud", new MemoryStream(OnnxModels.AddConstant(1f, 4)))).Number);
        await registry.RegisterModelAsync("fraud", new MemoryStream(OnnxModels.AddConstant(2f, 4)));
        await registry.RequestApprovalAsync("fraud", "production", 1, "first release");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_store, recursive: true);
        return Task.CompletedTask;
    }

    private ServiceProvider Provider(string user)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IActorIdentity>(new User(user));
        services.AddMlOps(o => o.RootDirectory = _store).AddTracking().AddModelRegistry(r => r.RequireApprovalFor("production")).AddDatasets().UseSqlite();
        return services.BuildServiceProvider();
    }

    private static void NoTerminalCodes(Mlops.Result result)
    {
        Assert.DoesNotContain('\u001b', result.Output);
        Assert.DoesNotContain('\r', result.Output);
    }

    private static void OneLineError(Mlops.Result result, int exitCode)
    {
        Assert.Equal(exitCode, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mlops: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsList_FiltersWithTheSearchLanguage_AsTableAndAsJson()
    {
        const string filter = "metrics.auc > 0.9 AND params.model = 'lbfgs'";
        var json = await Mlops.RunAsync(_store, "runs", "list", "--filter", filter, "--json");
        Assert.Equal(0, json.ExitCode);
        Assert.Equal([_lbfgs], json.Json["runs"]!.AsArray().Select(r => r!["info"]!["runId"]!.GetValue<string>()));

        var table = await Mlops.RunAsync(_store, "runs", "list", "--filter", filter);
        Assert.Equal(0, table.ExitCode);
        NoTerminalCodes(table);
        Assert.Contains("lbfgs-0.95", table.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("lbfgs-0.85", table.Output, StringComparison.Ordinal);

        OneLineError(await Mlops.RunAsync(_store, "runs", "list", "--filter", "metrics.auc >>> 1"), 2);
        var show = await Mlops.RunAsync(_store, "runs", "show", _lbfgs, "--json");
        Assert.Equal("lbfgs", show.Json["params"]!["model"]!.GetValue<string>());
        OneLineError(await Mlops.RunAsync(_store, "runs", "show", "nosuchrun"), 3);
    }

    [Fact]
    public async Task Models_ListShowPromoteRollback_WithTheApprovalPolicyHeld()
    {
        var list = await Mlops.RunAsync(_store, "models", "list", "--json");
        Assert.Equal(1, list.Json[0]!["aliases"]!["staging"]!.GetValue<int>());
        var show = await Mlops.RunAsync(_store, "models", "show", "fraud", "--json");
        Assert.Equal([1, 2], show.Json["versions"]!.AsArray().Select(v => v!["number"]!.GetValue<int>()));
        Assert.StartsWith("sha256:", show.Json["versions"]![0]!["digest"]!.GetValue<string>(), StringComparison.Ordinal);

        var promoted = await Mlops.RunAsync(_store, "models", "promote", "fraud", "staging", "2", "--reason", "better", "--json");
        Assert.Equal(0, promoted.ExitCode);
        Assert.Equal((1, 2), (promoted.Json["fromVersion"]!.GetValue<int>(), promoted.Json["toVersion"]!.GetValue<int>()));
        var rolledBack = await Mlops.RunAsync(_store, "models", "rollback", "fraud", "staging");
        Assert.Equal(0, rolledBack.ExitCode);
        NoTerminalCodes(rolledBack);
        Assert.Contains("fraud@staging: 2 -> 1", rolledBack.Output, StringComparison.Ordinal);

        // production needs an approved request by default: the tool is no way around the policy.
        OneLineError(await Mlops.RunAsync(_store, "models", "promote", "fraud", "production", "2"), 4);
        OneLineError(await Mlops.RunAsync(_store, "models", "show", "nosuch"), 3);
        OneLineError(await Mlops.RunAsync(_store, "models", "promote", "fraud", "staging", "two"), 2);
    }

    [Fact]
    public async Task Approvals_ListAndApprove_AsTheUserRunningTheTool_NeverOnesOwn()
    {
        var list = await Mlops.RunAsync(_store, "approvals", "list", "fraud", "production", "--json");
        var request = list.Json.AsArray().Single()!;
        Assert.Equal(("alice", "Pending"), (request["requester"]!.GetValue<string>(), request["state"]!.GetValue<string>()));

        var approved = await Mlops.RunAsync(_store, "approvals", "approve", request["id"]!.GetValue<long>().ToString(), "--comment", "checked", "--json");
        Assert.Equal(0, approved.ExitCode);
        Assert.Equal("Approved", approved.Json["state"]!.GetValue<string>());
        Assert.Equal(Environment.UserName, approved.Json["decisions"]![0]!["approver"]!.GetValue<string>());
        var again = await Mlops.RunAsync(_store, "approvals", "approve", request["id"]!.GetValue<long>().ToString(), "--json");
        Assert.Equal(5, again.ExitCode);
        Assert.Equal(5, again.Json["exitCode"]!.GetValue<int>());
        Assert.Equal(0, (await Mlops.RunAsync(_store, "models", "promote", "fraud", "production", "1")).ExitCode);

        await using (var provider = Provider(Environment.UserName))
        {
            await provider.GetRequiredService<ModelRegistry>().RequestApprovalAsync("fraud", "production", 2, "mine");
        }

        var own = await Mlops.RunAsync(_store, "approvals", "approve", "2");
        OneLineError(own, 4);
        Assert.Contains("another person", own.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Datasets_SnapshotWithRedirectedOutput_StaysPlain_AndDiffNamesTheChanges()
    {
        var data = Directory.CreateTempSubdirectory("mlops-cli-data-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(data, "a.csv"), "x\n1\n");
            await File.WriteAllTextAsync(Path.Combine(data, "b.csv"), "y\n2\n");
            var first = await Mlops.RunAsync(_store, "datasets", "snapshot", "transactions", data);
            Assert.Equal(0, first.ExitCode);
            NoTerminalCodes(first);
            Assert.Equal(["transactions/1: 2 files, 8 bytes, sha256:"], first.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..l.IndexOf("sha256:", StringComparison.Ordinal)] + "sha256:"));

            await File.WriteAllTextAsync(Path.Combine(data, "b.csv"), "y\n3\n4\n");
            File.Delete(Path.Combine(data, "a.csv"));
            await File.WriteAllTextAsync(Path.Combine(data, "c.csv"), "z\n");
            var second = await Mlops.RunAsync(_store, "datasets", "snapshot", "transactions", data, "--json");
            Assert.Equal(2, second.Json["version"]!.GetValue<int>());

            var diff = await Mlops.RunAsync(_store, "datasets", "diff", "transactions", "1", "2", "--json");
            Assert.Equal(["c.csv"], diff.Json["added"]!.AsArray().Select(f => f!["path"]!.GetValue<string>()));
            Assert.Equal(["a.csv"], diff.Json["removed"]!.AsArray().Select(f => f!["path"]!.GetValue<string>()));
            Assert.Equal(["b.csv"], diff.Json["modified"]!.AsArray().Select(f => f!["path"]!.GetValue<string>()));
            OneLineError(await Mlops.RunAsync(_store, "datasets", "snapshot", "transactions", Path.Combine(data, "missing")), 3);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Lineage_GcAndAuditVerify_AndAStoreThatIsNotThere()
    {
        var lineage = await Mlops.RunAsync(_store, "lineage", "model", "fraud", "1", "--json");
        Assert.Contains(lineage.Json["nodes"]!.AsArray(), n => n!["kind"]!.GetValue<string>() == "Alias");

        var gc = await Mlops.RunAsync(_store, "gc", "--dry-run", "--json");
        Assert.Equal(0, gc.ExitCode);
        Assert.True(gc.Json["dryRun"]!.GetValue<bool>());
        Assert.True(gc.Json["referenced"]!.GetValue<long>() >= 2);

        var intact = await Mlops.RunAsync(_store, "audit", "verify");
        Assert.Equal(0, intact.ExitCode);
        Assert.StartsWith("intact: ", intact.Output, StringComparison.Ordinal);
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_store, "mlops.db")};Pooling=False"))
        {
            connection.Open();
            using var tamper = connection.CreateCommand();
            tamper.CommandText = "UPDATE audit_log SET actor = 'mallory' WHERE sequence = 2;";
            Assert.Equal(1, tamper.ExecuteNonQuery());
        }

        var broken = await Mlops.RunAsync(_store, "audit", "verify", "--json");
        Assert.Equal(6, broken.ExitCode);
        Assert.False(broken.Json["isIntact"]!.GetValue<bool>());
        Assert.Equal(2, broken.Json["firstBadSequence"]!.GetValue<long>());

        OneLineError(await Mlops.RunAsync(Path.Combine(_store, "nothing-here"), "models", "list"), 3);
        OneLineError(await Mlops.RunAsync(_store, "modles", "list"), 2);
    }

    [Fact]
    public async Task Migrate_CopiesTheStoreIntoPostgreSql_WithProgressOffWhenRedirected_AndTheToolReadsItThere()
    {
        var server = MlOps.Sdk.Storage.Conformance.Services.PostgreSqlServer.Instance;
        var schema = MlOps.Sdk.Storage.Conformance.Services.PostgreSqlServer.NewSchema();
        var artifacts = Directory.CreateTempSubdirectory("mlops-cli-pg-").FullName;
        try
        {
            var migrated = await Mlops.RunAsync(_store, "migrate", "--to", server.ConnectionString, "--to-schema", schema, "--to-artifacts", artifacts);
            Assert.True(migrated.ExitCode == 0, migrated.Error);
            NoTerminalCodes(migrated);
            Assert.Matches(@"^copied \d+ rows in \d+ tables, \d+ artifacts \(\d+ bytes\); audit log intact: True\n$", migrated.Output);

            var models = await Mlops.RunAsync(server.ConnectionString, "models", "list", "--schema", schema, "--artifacts", artifacts, "--json");
            Assert.Equal(0, models.ExitCode);
            Assert.Equal("fraud", models.Json[0]!["name"]!.GetValue<string>());
            Assert.Equal(0, (await Mlops.RunAsync(server.ConnectionString, "audit", "verify", "--schema", schema, "--artifacts", artifacts)).ExitCode);
            OneLineError(await Mlops.RunAsync(server.ConnectionString, "models", "list", "--schema", schema), 2);
        }
        finally
        {
            Directory.Delete(artifacts, recursive: true);
        }
    }

    [Fact]
    public async Task Ui_ServesTheDashboardOverTheStore_OnLoopback_ToTheBrowserWithTheLinksToken()
    {
        using var process = Mlops.Start(_store, "ui", "--port", "0");
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.NotNull(line);
            var link = new Uri(line![(line.IndexOf("http", StringComparison.Ordinal))..]);
            Assert.Equal("127.0.0.1", link.Host);

            using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = new Uri(link.GetLeftPart(UriPartial.Authority)) };
            var page = await browser.GetAsync(link);
            Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("dashboard.js", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var models = JsonNode.Parse(await browser.GetStringAsync("/mlops/api/models"))!.AsArray();
            Assert.Equal("fraud", models.Single()!["name"]!.GetValue<string>());
            Assert.Equal(Environment.UserName, JsonNode.Parse(await browser.GetStringAsync("/mlops/api/me"))!["name"]!.GetValue<string>());

            using var stranger = new HttpClient { BaseAddress = browser.BaseAddress };
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await stranger.GetAsync("/mlops/api/models")).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await stranger.GetAsync("/mlops/?token=" + new string('0', 48))).StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private sealed class User(string name) : IActorIdentity
    {
        public string CurrentActor => name;
    }
}
