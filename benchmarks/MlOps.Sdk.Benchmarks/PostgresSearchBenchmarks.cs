using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance.Services;
using MlOps.Sdk.Tracking;
using Npgsql;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// The OR filter of <see cref="TrackingSearchBenchmarks"/> over 10,000 runs with 20 metrics and 20 params each, on the
/// PostgreSQL store, against the same query written by hand in SQL over the same schema, reading the same page of runs
/// with their params and latest metrics.
/// </summary>
[MemoryDiagnoser]
public class PostgresSearchBenchmarks
{
    private const int Runs = 10_000;
    private const int Keys = 20;
    private const string Filter = "(metrics.m0 > 0.9 OR params.p1 = 'v3') AND metrics.m5 < 0.5";

    /// <summary>
    /// The plan a person would write: read <c>m0</c>'s index from the top (the order), test the rest per run, stop
    /// after a page; then the page's params and latest metrics in one round trip.
    /// </summary>
    private const string HandWrittenPage = """
        SELECT r.run_id, r.experiment_id, r.name, r.status, r.start_time, r.end_time, r.lease_expires_at
        FROM metric_series o JOIN runs r ON r.run_id = o.run_id
        WHERE o.key = 'm0' AND o.last_value IS NOT NULL
          AND r.experiment_id IN (SELECT experiment_id FROM experiments WHERE NOT deleted)
          AND (o.last_value > 0.9 OR EXISTS (SELECT 1 FROM params p WHERE p.run_id = r.run_id AND p.key = 'p1' AND p.value = 'v3'))
          AND EXISTS (SELECT 1 FROM metric_series s WHERE s.run_id = r.run_id AND s.key = 'm5' AND s.last_value < 0.5)
        ORDER BY o.last_value DESC, r.start_time DESC, r.run_id
        LIMIT 101;
        """;

    private ServiceProvider _services = null!;
    private ExperimentTracker _tracker = null!;
    private NpgsqlDataSource _dataSource = null!;

    [GlobalSetup]
    public async Task Seed()
    {
        var schema = PostgreSqlServer.NewSchema();
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = Path.Combine(Path.GetTempPath(), "mlops-bench-pg-search")).AddTracking().UsePostgreSql(o =>
        {
            o.ConnectionString = PostgreSqlServer.Instance.ConnectionString;
            o.Schema = schema;
        });
        _services = services.BuildServiceProvider();
        _tracker = _services.GetRequiredService<ExperimentTracker>();
        var random = new Random(3);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var runs = new List<RunImport>(Runs);
        for (var i = 0; i < Runs; i++)
        {
            var metrics = new Dictionary<string, IReadOnlyList<Metric>>(Keys);
            var parameters = new Dictionary<string, string>(Keys);
            for (var k = 0; k < Keys; k++)
            {
                metrics["m" + k] = [new Metric(random.NextDouble(), 0, 0)];
                parameters["p" + k] = "v" + random.Next(50);
            }

            runs.Add(new RunImport($"run-{i}", RunStatus.Finished, start.AddSeconds(i), start.AddSeconds(i + 1))
            {
                RunId = i.ToString("x32", CultureInfo.InvariantCulture),
                Metrics = metrics,
                Params = parameters,
            });
        }

        await _tracker.ImportRunsAsync("search", runs);
        _dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(PostgreSqlServer.Instance.ConnectionString) { SearchPath = schema }.ToString());
        await using var analyze = _dataSource.CreateCommand("ANALYZE;");
        await analyze.ExecuteNonQueryAsync();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _dataSource.Dispose();
        _services.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> HandWrittenSql()
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        var ids = new List<string>();
        await using (var page = new NpgsqlCommand(HandWrittenPage, connection))
        await using (var reader = await page.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetString(0));
                _ = (reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.IsDBNull(5), reader.GetInt64(6));
            }
        }

        var values = 0;
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT run_id, key, value FROM params WHERE run_id = ANY($1)") { Parameters = { new NpgsqlParameter { Value = ids.ToArray() } } },
                new NpgsqlBatchCommand("SELECT run_id, key, last_value FROM metric_series WHERE run_id = ANY($1)") { Parameters = { new NpgsqlParameter { Value = ids.ToArray() } } },
            },
        };
        await using var data = await batch.ExecuteReaderAsync();
        do
        {
            while (await data.ReadAsync())
            {
                _ = (data.GetString(0), data.GetString(1), data.GetValue(2));
                values++;
            }
        }
        while (await data.NextResultAsync());

        return values;
    }

    [Benchmark]
    public async Task<int> SearchRunsAsync()
    {
        var page = await _tracker.SearchRunsAsync(new RunSearchQuery { Filter = Filter, OrderBy = ["metrics.m0 DESC"], MaxResults = 100 });
        return page.Runs.Count;
    }
}
