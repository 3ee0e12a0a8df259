using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Storage.Conformance.Services;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Storage;
using MlOps.Sdk.Versioning;
using Npgsql;
using Xunit;

namespace MlOps.Sdk.Storage.PostgreSql.Tests;

/// <summary>Real failures of a real server: terminated backends, cut connections, restarts, many processes at once.</summary>
[Trait("Category", "Fault")]
public sealed class PostgreSqlFaultTests : IDisposable
{
    private readonly PostgreSqlStore _store = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mlops-pg-fault-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task BackendTerminatedMidTransaction_IsRolledBackAndRetried_WithoutDuplicateRows()
    {
        await using var services = Build(_store.Use);
        var tracker = services.GetRequiredService<ExperimentTracker>();
        var store = services.GetRequiredService<TrackingStore>();
        await using var run = await tracker.StartRunAsync("faults");

        // The first write of metric points kills its own backend after its rows are in, before the commit.
        await _store.ExecuteAsync(
            """
            CREATE SEQUENCE fault_once;
            CREATE FUNCTION kill_once() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF nextval('fault_once') = 1 THEN
                    PERFORM pg_terminate_backend(pg_backend_pid());
                    PERFORM pg_sleep(5);
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER kill_once AFTER INSERT ON metric_segments FOR EACH STATEMENT EXECUTE FUNCTION kill_once();
            """);

        var batch = new TrackingWriteBatch();
        batch.Metrics.Add(new MetricAppend(run.Id, "loss", Enumerable.Range(0, 1_000).Select(i => new Metric(1.0 / (i + 1), i, i)).ToArray()));
        batch.Params.Add(new RunValue(run.Id, "lr", "0.1"));
        batch.Tags.Add(new RunTag(run.Id, "phase", "fault"));
        var result = await store.WriteAsync(batch);

        Assert.Empty(result.ParamConflicts);
        Assert.True(await _store.ScalarAsync<long>("SELECT last_value FROM fault_once;") >= 2, "The backend was never terminated: the test tested nothing.");
        Assert.Equal(1_000, (await store.GetMetricSeriesAsync(run.Id, "loss"))!.Count);
        Assert.Equal(1_000, await store.ReadMetricHistoryAsync(run.Id, "loss").CountAsync());
        Assert.Equal(1L, await _store.ScalarAsync<long>("SELECT count(*) FROM metric_segments;"));
        Assert.Equal(1L, await _store.ScalarAsync<long>("SELECT count(*) FROM params;"));
    }

    [Fact]
    public async Task ConnectionCutAfterTheCommitWasSent_IsNotWrittenTwice()
    {
        await using var proxy = new FaultProxy(PostgreSqlServer.Instance.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(PostgreSqlServer.Instance.ConnectionString) { Port = proxy.Port }.ToString();
        await using var services = Build(b => b.UsePostgreSql(o =>
        {
            o.ConnectionString = viaProxy;
            o.Schema = _store.Schema;
        }));
        var tracker = services.GetRequiredService<ExperimentTracker>();
        var store = services.GetRequiredService<TrackingStore>();
        await using var run = await tracker.StartRunAsync("faults");

        var batch = new TrackingWriteBatch();
        batch.Metrics.Add(new MetricAppend(run.Id, "loss", Enumerable.Range(0, 500).Select(i => new Metric(i, i, i)).ToArray()));
        proxy.Arm();
        await store.WriteAsync(batch);

        Assert.Equal(1, proxy.Cuts);
        Assert.Equal(500, (await store.GetMetricSeriesAsync(run.Id, "loss"))!.Count);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), await store.ReadMetricHistoryAsync(run.Id, "loss").Select(m => m.Step).ToListAsync());
    }

    [Fact]
    public async Task AliasWatch_AfterItsConnectionIsLost_CatchesUpTheMovesMadeMeanwhile_InOrder()
    {
        await using var proxy = new FaultProxy(PostgreSqlServer.Instance.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(PostgreSqlServer.Instance.ConnectionString) { Port = proxy.Port }.ToString();
        await using var watcher = Build(b => b.UsePostgreSql(o =>
        {
            o.ConnectionString = viaProxy;
            o.Schema = _store.Schema;
        }));
        await using var mover = Build(_store.Use);
        var registry = mover.GetRequiredService<ModelRegistry>();
        for (var k = 1; k <= 4; k++)
        {
            await registry.RegisterModelAsync("fraud", new MemoryStream(OnnxModels.AddConstant(k, 4)));
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var moves = watcher.GetRequiredService<ModelRegistry>().WatchAliasMovesAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        var first = moves.MoveNextAsync();
        await Task.Delay(500);
        await registry.SetAliasAsync("fraud", "production", 1);
        Assert.True(await first);
        Assert.Equal(1, moves.Current.ToVersion);

        // The watch's connection is lost; two moves are made while it cannot reconnect.
        proxy.Sever();
        var next = moves.MoveNextAsync();
        await registry.SetAliasAsync("fraud", "production", 2);
        await registry.SetAliasAsync("fraud", "staging", 3);
        await Task.Delay(1_000);
        Assert.False(next.IsCompleted, "A move was reported while the watch had no connection.");
        proxy.Resume();

        Assert.True(await next);
        Assert.Equal(("production", 1, 2), (moves.Current.Alias, moves.Current.FromVersion, moves.Current.ToVersion));
        Assert.True(await moves.MoveNextAsync());
        Assert.Equal(("staging", (int?)null, 3), (moves.Current.Alias, moves.Current.FromVersion, moves.Current.ToVersion));
    }

    [Fact]
    public async Task EightProcesses_RegisteringOneModel_GetNumbersOneToNWithoutDuplicates()
    {
        const int perProcess = 10;
        var environment = Environment();
        var children = Enumerable.Range(0, 8).Select(_ => ChildProcess.StartWith(environment, "register", _root, "fraud", perProcess.ToString(CultureInfo.InvariantCulture))).ToList();
        var reported = new List<int>();
        try
        {
            foreach (var child in children)
            {
                Assert.Equal(0, await child.WaitForExitAsync(TimeSpan.FromMinutes(3)));
                while (child.Lines.TryRead(out var line))
                {
                    if (line.StartsWith("VERSION ", StringComparison.Ordinal))
                    {
                        reported.Add(int.Parse(line[8..], CultureInfo.InvariantCulture));
                    }
                }
            }
        }
        finally
        {
            foreach (var child in children)
            {
                await child.DisposeAsync();
            }
        }

        Assert.Equal(Enumerable.Range(1, 8 * perProcess), reported.Order());
        await using var services = Build(_store.Use);
        var registry = services.GetRequiredService<ModelRegistry>();
        var versions = (await registry.ListVersionsAsync("fraud", maxResults: 1_000)).Versions;
        Assert.Equal(Enumerable.Range(1, 8 * perProcess), versions.Select(v => v.Number));
        Assert.All(versions, v => Assert.Equal(ModelVersionStatus.Ready, v.Status));
        var audit = await registry.VerifyAuditLogAsync();
        Assert.True(audit.IsIntact, audit.Problem);
    }

    [Fact]
    public async Task ServerRestartedUnderFourLoggingProcesses_LosesNothingAcknowledged()
    {
        const long points = 60_000;
        using var server = PostgreSqlServer.StartNew();
        var environment = Environment(server.ConnectionString);
        var children = Enumerable.Range(0, 4).Select(_ => ChildProcess.StartWith(environment, "log-count", _root, "shared", points.ToString(CultureInfo.InvariantCulture), "500")).ToList();
        var runIds = new List<string>();
        try
        {
            foreach (var child in children)
            {
                Assert.NotNull(await child.ReadLineAsync("ACK ", TimeSpan.FromMinutes(2)));
            }

            server.Stop();
            await Task.Delay(1_000);
            server.StartAgain();

            foreach (var child in children)
            {
                var done = await child.ReadLineAsync("DONE ", TimeSpan.FromMinutes(4));
                Assert.NotNull(done);
                Assert.Equal(0, await child.WaitForExitAsync(TimeSpan.FromMinutes(1)));
                runIds.Add(done);
            }
        }
        finally
        {
            foreach (var child in children)
            {
                await child.DisposeAsync();
            }
        }

        await using var services = Build(b => b.UsePostgreSql(o =>
        {
            o.ConnectionString = server.ConnectionString;
            o.Schema = _store.Schema;
        }));
        var tracker = services.GetRequiredService<ExperimentTracker>();
        var store = services.GetRequiredService<TrackingStore>();
        foreach (var runId in runIds)
        {
            var run = await tracker.GetRunAsync(runId);
            Assert.Equal(RunStatus.Finished, run!.Info.Status);
            Assert.Equal(points, (await store.GetMetricSeriesAsync(runId, "loss"))!.Count);
            var steps = await store.ReadMetricHistoryAsync(runId, "step").Select(m => m.Step).ToListAsync();
            Assert.Equal(points, steps.Distinct().Count());
            Assert.Equal(points - 1, run.Metrics["step"].Value);
        }
    }

    private ServiceProvider Build(Func<IMlOpsBuilder, IMlOpsBuilder> provider)
    {
        var services = new ServiceCollection();
        provider(services.AddMlOps(o => o.RootDirectory = _root).AddTracking().AddModelRegistry().AddDatasets());
        return services.BuildServiceProvider();
    }

    private Dictionary<string, string> Environment(string? connectionString = null) => new()
    {
        ["MLOPS_TEST_POSTGRES"] = connectionString ?? PostgreSqlServer.Instance.ConnectionString,
        ["MLOPS_TEST_SCHEMA"] = _store.Schema,
    };
}
