using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Tracking;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// One million points logged through a run and flushed to the SQLite store, against raw Microsoft.Data.Sqlite inserts
/// of the same rows in one transaction with one prepared command, into a database with the same settings.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 7)]
[MemoryDiagnoser]
public class TrackingIngestBenchmarks
{
    private const int Points = 1_000_000;
    private string _root = null!;

    [IterationSetup]
    public void CreateRoot()
    {
        SqliteConnection.ClearAllPools();
        _root = Path.Combine(Path.GetTempPath(), "mlops-bench-ingest-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [IterationCleanup]
    public void DeleteRoot()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public void RawSqliteInserts()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_root, "raw.db")}");
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE metrics (run_id TEXT NOT NULL, key TEXT NOT NULL, step INTEGER NOT NULL, timestamp INTEGER NOT NULL, value REAL);";
            setup.ExecuteNonQuery();
        }

        var runId = Guid.NewGuid().ToString("N");
        var start = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO metrics (run_id, key, step, timestamp, value) VALUES ($run, $key, $step, $ts, $value);";
        var run = insert.Parameters.Add("$run", SqliteType.Text);
        var key = insert.Parameters.Add("$key", SqliteType.Text);
        var step = insert.Parameters.Add("$step", SqliteType.Integer);
        var ts = insert.Parameters.Add("$ts", SqliteType.Integer);
        var value = insert.Parameters.Add("$value", SqliteType.Real);
        insert.Prepare();
        run.Value = runId;
        key.Value = "loss";
        for (var i = 0; i < Points; i++)
        {
            step.Value = (long)i;
            ts.Value = start + (i / 1000);
            value.Value = 1.0 / (i + 1);
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    [Benchmark]
    public async Task LogMetricAndFlush()
    {
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = _root).AddTracking(o => o.QueueCapacity = Points).UseSqlite();
        await using var provider = services.BuildServiceProvider();
        var run = await provider.GetRequiredService<ExperimentTracker>().StartRunAsync("ingest");
        for (var i = 0; i < Points; i++)
        {
            run.LogMetric("loss", 1.0 / (i + 1), i);
        }

        await run.EndAsync();
        if (run.DroppedPoints != 0)
        {
            throw new InvalidOperationException($"{run.DroppedPoints} points were dropped.");
        }
    }
}
