using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance.Services;
using MlOps.Sdk.Tracking;
using Npgsql;
using NpgsqlTypes;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// One million points logged through a run and flushed to the PostgreSQL store, against raw Npgsql binary COPY of the
/// same rows (run, key, step, time, value) into a plain table, in one transaction, on the same server. Each iteration
/// writes into a fresh schema.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 7)]
[MemoryDiagnoser]
public class PostgresIngestBenchmarks
{
    private const int Points = 1_000_000;
    private string _schema = null!;

    private static string ConnectionString => PostgreSqlServer.Instance.ConnectionString;

    [IterationSetup]
    public void NewSchema() => _schema = PostgreSqlServer.NewSchema();

    [Benchmark(Baseline = true)]
    public async Task RawNpgsqlBinaryCopy()
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = _schema }.ToString());
        await connection.OpenAsync();
        await using (var setup = new NpgsqlCommand($"CREATE SCHEMA {_schema}; CREATE TABLE metrics (run_id text NOT NULL, key text NOT NULL, step bigint NOT NULL, timestamp bigint NOT NULL, value double precision);", connection))
        {
            await setup.ExecuteNonQueryAsync();
        }

        var runId = Guid.NewGuid().ToString("N");
        var start = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var copy = await connection.BeginBinaryImportAsync("COPY metrics (run_id, key, step, timestamp, value) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < Points; i++)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(runId, NpgsqlDbType.Text);
                await copy.WriteAsync("loss", NpgsqlDbType.Text);
                await copy.WriteAsync((long)i, NpgsqlDbType.Bigint);
                await copy.WriteAsync(start + (i / 1000), NpgsqlDbType.Bigint);
                await copy.WriteAsync(1.0 / (i + 1), NpgsqlDbType.Double);
            }

            await copy.CompleteAsync();
        }

        await transaction.CommitAsync();
    }

    [Benchmark]
    public async Task LogMetricAndFlush()
    {
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = Path.Combine(Path.GetTempPath(), "mlops-bench-pg-ingest"))
            .AddTracking(o => o.QueueCapacity = Points)
            .UsePostgreSql(o =>
            {
                o.ConnectionString = ConnectionString;
                o.Schema = _schema;
            });
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
