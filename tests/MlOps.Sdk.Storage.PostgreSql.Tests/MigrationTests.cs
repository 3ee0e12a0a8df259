using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.State;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Storage.Conformance.Services;
using MlOps.Sdk.Storage.PostgreSql.Migration;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Storage;
using MlOps.Sdk.Versioning;
using Npgsql;
using Xunit;

namespace MlOps.Sdk.Storage.PostgreSql.Tests;

/// <summary>An embedded store copied into PostgreSQL + S3: everything kept, and an interrupted copy finishes the same.</summary>
[Trait("Category", "Fault")]
public sealed class MigrationTests : IAsyncLifetime
{
    private static readonly string[] Tables =
    [
        "experiments", "runs", "params", "tags", "metric_series", "metric_segments", "run_inputs", "run_artifacts",
        "registered_models", "model_tags", "model_versions", "model_aliases", "alias_moves", "approval_requests",
        "approval_decisions", "audit_log", "dataset_versions", "dataset_files", "model_deployments", "state",
    ];

    private readonly string _source = Path.Combine(Path.GetTempPath(), "mlops-migrate-source-" + Guid.NewGuid().ToString("N"));
    private readonly string _target = Path.Combine(Path.GetTempPath(), "mlops-migrate-target-" + Guid.NewGuid().ToString("N"));
    private readonly SwitchableIdentity _identity = new();

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IActorIdentity>(_identity);
        services.AddMlOps(o => o.RootDirectory = _source).AddTracking().AddDatasets().AddModelRegistry(r => r.RequireApprovalFor("production", approvers: 1)).UseSqlite();
        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ExperimentTracker>();
        var registry = provider.GetRequiredService<ModelRegistry>();
        for (var i = 0; i < 12; i++)
        {
            await using var run = await tracker.StartRunAsync(i % 3 == 0 ? "churn" : "fraud", $"run-{i}");
            run.LogParam("lr", 0.1 * (i + 1));
            run.SetTag("team", i % 2 == 0 ? "risk" : "growth");
            for (var step = 0; step < (i == 0 ? 40_000 : 50); step++)
            {
                run.LogMetric("loss", 1.0 / (step + 1), step);
            }

            run.LogInput(new DatasetInput("transactions", ContentDigest.Compute([(byte)i]), "training"));
            await run.LogArtifactAsync($"notes/run-{i}.txt", new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"notes of run {i}")));
            if (i == 5)
            {
                await run.EndAsync(RunStatus.Failed);
            }
        }

        await tracker.DeleteExperimentAsync("churn");
        for (var k = 1; k <= 3; k++)
        {
            await registry.RegisterModelAsync("fraud", new MemoryStream(OnnxModels.AddConstant(k, 4)));
        }

        await registry.SetAliasAsync("fraud", "staging", 3);
        var request = await registry.RequestApprovalAsync("fraud", "production", 2, "ready");
        _identity.CurrentActor = "bob";
        await registry.ApproveAsync(request.Id, "checked");
        await registry.RecordDeploymentAsync(new ModelDeployment("fraud", 2, (await registry.GetVersionAsync("fraud", 2))!.Digest!.Value, "web-1/42", "primary", DateTimeOffset.UnixEpoch.AddDays(20_000)));
        var data = Directory.CreateDirectory(Path.Combine(_source, "data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "a.csv"), "x,y\n1,2\n");
        await File.WriteAllTextAsync(Path.Combine(data, "b.csv"), "x,y\n3,4\n");
        await provider.GetRequiredService<IDatasetRegistry>().SnapshotAsync("transactions", data);
        await provider.GetRequiredService<StateStore>().PutAsync("monitor/fraud/window", new byte[] { 1, 2, 3 });
    }

    public Task DisposeAsync()
    {
        foreach (var directory in new[] { _source, _target })
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task CopyIntoPostgreSqlAndS3_KeepsEverything_AndAKilledCopyRerunEndsIdentical()
    {
        // Uninterrupted, in this process.
        var whole = await Target.CreateAsync(_target + "-whole");
        await using (var source = Source())
        await using (var target = whole.Build())
        {
            var report = await EmbeddedStoreMigration.CopyAsync(source, target);
            Assert.True(report.AuditLogIntact);
            Assert.Equal(0, report.ResumedSteps);
            Assert.Equal(12, report.Tables["runs"]);
            Assert.True(report.ArtifactsCopied >= 12 + 3 + 2, $"{report.ArtifactsCopied} artifacts copied");
            await AssertSameAsSourceAsync(source, target);
        }

        // Killed after a few tables by SIGKILL, then run again to the end.
        var resumed = await Target.CreateAsync(_target + "-resumed");
        await using (var child = ChildProcess.StartWith(resumed.Environment, "copy-embedded", resumed.Root, _source))
        {
            Assert.NotNull(await child.ReadLineAsync("STEP metric_segments ", TimeSpan.FromMinutes(2)));
            await child.KillAsync();
        }

        Assert.True(await resumed.CountAsync("migration_progress") is > 0 and < 21, "The copy was not interrupted halfway.");
        await using (var source = Source())
        await using (var target = resumed.Build())
        {
            var report = await EmbeddedStoreMigration.CopyAsync(source, target);
            Assert.True(report.ResumedSteps > 0);
            Assert.True(report.AuditLogIntact);
        }

        foreach (var table in Tables)
        {
            Assert.Equal(await whole.DumpAsync(table), await resumed.DumpAsync(table));
        }

        Assert.Equal((await whole.KeysAsync()).Order(), (await resumed.KeysAsync()).Order());

        // The target carries on: new ids follow the copied ones.
        await using var carryOn = resumed.Build();
        Assert.Equal(4, (await carryOn.GetRequiredService<ModelRegistry>().RegisterModelAsync("fraud", new MemoryStream(OnnxModels.AddConstant(9, 4)))).Number);
        var experiment = await carryOn.GetRequiredService<TrackingStore>().CreateExperimentAsync("new");
        Assert.Equal("3", experiment.Id);
    }

    [Fact]
    public async Task Copy_RefusesATargetThatHoldsItsOwnData()
    {
        var target = await Target.CreateAsync(_target + "-busy");
        await using var services = target.Build();
        await services.GetRequiredService<TrackingStore>().CreateExperimentAsync("already-here");
        await using var source = Source();
        await Assert.ThrowsAsync<MlOpsConflictException>(() => EmbeddedStoreMigration.CopyAsync(source, services));
    }

    private ServiceProvider Source()
    {
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = _source).AddTracking().AddDatasets().AddModelRegistry().UseSqlite();
        return services.BuildServiceProvider();
    }

    private static async Task AssertSameAsSourceAsync(IServiceProvider source, IServiceProvider target)
    {
        var from = source.GetRequiredService<ExperimentTracker>();
        var to = target.GetRequiredService<ExperimentTracker>();
        var query = new RunSearchQuery { MaxResults = 1_000, ExperimentNames = ["fraud"] };
        var expected = (await from.SearchRunsAsync(query)).Runs;
        var actual = (await to.SearchRunsAsync(query)).Runs;
        Assert.Equal(expected.Select(r => (r.Info, r.Params.Count, r.Tags.Count, r.Metrics["loss"], r.Artifacts.Count, r.Inputs.Count)), actual.Select(r => (r.Info, r.Params.Count, r.Tags.Count, r.Metrics["loss"], r.Artifacts.Count, r.Inputs.Count)));
        var first = (await from.SearchRunsAsync(new RunSearchQuery { Filter = "attributes.run_name = 'run-0'", ExperimentNames = ["churn"] })).Runs.Single();
        Assert.Equal(await from.GetMetricHistoryAsync(first.Info.RunId, "loss").ToListAsync(), await to.GetMetricHistoryAsync(first.Info.RunId, "loss").ToListAsync());
        Assert.True((await target.GetRequiredService<TrackingStore>().GetExperimentByNameAsync("churn"))!.IsDeleted);

        var registry = target.GetRequiredService<ModelRegistry>();
        Assert.Equal(3, (await registry.ResolveAsync("fraud@staging")).Number);
        Assert.Equal((await source.GetRequiredService<ModelRegistry>().GetModelAsync("fraud"))!.Aliases, (await registry.GetModelAsync("fraud"))!.Aliases);
        Assert.Equal(ApprovalState.Approved, (await target.GetRequiredService<MlOps.Sdk.Versioning.Storage.ModelRegistryStore>().ListApprovalRequestsAsync("fraud", "production")).Single().State);
        Assert.Single(await registry.ListDeploymentsAsync("fraud", 2));
        var verification = await registry.VerifyAuditLogAsync();
        Assert.True(verification.IsIntact, verification.Problem);
        Assert.Equal((await source.GetRequiredService<ModelRegistry>().VerifyAuditLogAsync()).Head, verification.Head);

        var artifacts = target.GetRequiredService<ArtifactStore>();
        await using (var model = await artifacts.OpenReadAsync((await registry.GetVersionAsync("fraud", 3))!.Digest!.Value))
        {
            await model.CopyToAsync(Stream.Null);
        }

        var files = await target.GetRequiredService<IDatasetRegistry>().GetFilesAsync("transactions", 1);
        Assert.Equal(["a.csv", "b.csv"], files.Select(f => f.Path.Value));
        Assert.Equal(new byte[] { 1, 2, 3 }, await target.GetRequiredService<StateStore>().GetAsync("monitor/fraud/window"));
    }

    /// <summary>A PostgreSQL schema and an S3 bucket, empty, and the services of a host using them.</summary>
    private sealed class Target
    {
        private readonly PostgreSqlStore _store = new();
        private readonly string _bucket = S3Server.NewBucket();

        private Target(string root) => Root = root;

        public string Root { get; }

        public Dictionary<string, string> Environment => new()
        {
            ["MLOPS_TEST_POSTGRES"] = PostgreSqlServer.Instance.ConnectionString,
            ["MLOPS_TEST_SCHEMA"] = _store.Schema,
            ["MLOPS_TEST_S3_URL"] = S3Server.ServiceUrl(S3Server.Instance),
            ["MLOPS_TEST_S3_BUCKET"] = _bucket,
        };

        public static async Task<Target> CreateAsync(string root)
        {
            var target = new Target(root);
            using var client = Client();
            await client.PutBucketAsync(target._bucket);
            return target;
        }

        public ServiceProvider Build()
        {
            var services = new ServiceCollection();
            services.AddSingleton<IAmazonS3>(Client());
            _store.Use(services.AddMlOps(o => o.RootDirectory = Root).AddTracking().AddDatasets().AddModelRegistry()).UseS3Artifacts(o =>
            {
                o.BucketName = _bucket;
                o.UseChunkEncoding = false;
            });
            return services.BuildServiceProvider();
        }

        public Task<long> CountAsync(string table) => _store.ScalarAsync<long>($"SELECT count(*) FROM {table};");

        /// <summary>Every row of a table, in a fixed order, as text.</summary>
        public async Task<List<string>> DumpAsync(string table)
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PostgreSqlServer.Instance.ConnectionString) { SearchPath = _store.Schema, Pooling = false }.ToString());
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"SELECT t::text FROM {table} t ORDER BY 1;", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }

            return rows;
        }

        public async Task<List<string>> KeysAsync()
        {
            using var client = Client();
            return (await client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = _bucket })).S3Objects?.Select(o => o.Key).ToList() ?? [];
        }

        private static AmazonS3Client Client() =>
            new(new BasicAWSCredentials(S3Server.Credential, S3Server.Credential), new AmazonS3Config { ServiceURL = S3Server.ServiceUrl(S3Server.Instance), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
    }
}
