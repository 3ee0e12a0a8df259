using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Storage;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// A filter with OR over 10,000 runs with 20 metrics and 20 params each, through <see cref="ExperimentTracker.SearchRunsAsync"/>,
/// against the same query written by hand in SQL over the same file, reading the same page of runs with their params
/// and latest metrics.
/// </summary>
[MemoryDiagnoser]
public class TrackingSearchBenchmarks
{
    private const int Runs = 10_000;
    private const int Keys = 20;
    private const string Filter = "(metrics.m0 > 0.9 OR params.p1 = 'v3') AND metrics.m5 < 0.5";

    /// <summary>
    /// The best plan a person would write: read <c>m0</c>'s index from the top (the order; <c>m0 &gt; 0.9</c> is a test of
    /// the row already read), probe the rest per run, stop after a page. CROSS JOIN keeps SQLite from starting at the
    /// half of all runs <c>m5 &lt; 0.5</c> selects and sorting them.
    /// </summary>
    private const string HandWrittenPage = """
        SELECT r.run_id, r.experiment_id, r.name, r.status, r.start_time, r.end_time, r.lease_expires_at
        FROM metric_series o CROSS JOIN runs r ON r.run_id = o.run_id
        WHERE o.key = 'm0' AND o.last_value IS NOT NULL
          AND r.experiment_id IN (SELECT experiment_id FROM experiments WHERE deleted = 0)
          AND (o.last_value > 0.9 OR EXISTS (SELECT 1 FROM params p WHERE p.run_id = r.run_id AND p.key = 'p1' AND p.value = 'v3'))
          AND EXISTS (SELECT 1 FROM metric_series s WHERE s.run_id = r.run_id AND s.key = 'm5' AND s.last_value < 0.5)
        ORDER BY o.last_value DESC, r.start_time DESC, r.run_id
        LIMIT 101;
        """;

    private string _root = null!;
    private ServiceProvider _services = null!;
    private ExperimentTracker _tracker = null!;
    private SqliteConnection _connection = null!;

    [GlobalSetup]
    public async Task Seed()
    {
        _root = Path.Combine(Path.GetTempPath(), "mlops-bench-search-" + Guid.NewGuid().ToString("N"));
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = _root).AddTracking().UseSqlite();
        _services = services.BuildServiceProvider();
        _tracker = _services.GetRequiredService<ExperimentTracker>();
        var store = _services.GetRequiredService<TrackingStore>();
        var experiment = await _tracker.CreateExperimentAsync("search");
        var random = new Random(3);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var batch = new TrackingWriteBatch();
        for (var i = 0; i < Runs; i++)
        {
            var runId = i.ToString("x32", CultureInfo.InvariantCulture);
            await store.CreateRunAsync(new NewRun(runId, experiment.Id, $"run-{i}", start.AddSeconds(i), start.AddYears(10), new Dictionary<string, string>()));
            for (var k = 0; k < Keys; k++)
            {
                batch.Metrics.Add(new MetricAppend(runId, "m" + k, new[] { new Metric(random.NextDouble(), 0, 0) }));
                batch.Params.Add(new RunValue(runId, "p" + k, "v" + random.Next(50)));
            }

            if (batch.Metrics.Count >= 20_000)
            {
                await store.WriteAsync(batch);
                batch.Clear();
            }
        }

        await store.WriteAsync(batch);
        _connection = new SqliteConnection($"Data Source={Path.Combine(_root, "mlops.db")}");
        _connection.Open();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _connection.Dispose();
        _services.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public int HandWrittenSql()
    {
        var ids = new List<string>();
        using (var page = _connection.CreateCommand())
        {
            page.CommandText = HandWrittenPage;
            using var reader = page.ExecuteReader();
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
                _ = (reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.IsDBNull(5), reader.GetInt64(6));
            }
        }

        var values = 0;
        var idList = "[" + string.Join(",", ids.Select(id => "\"" + id + "\"")) + "]";
        foreach (var sql in new[]
                 {
                     "SELECT run_id, key, value FROM params WHERE run_id IN (SELECT value FROM json_each($ids))",
                     "SELECT run_id, key, last_value FROM metric_series WHERE run_id IN (SELECT value FROM json_each($ids))",
                 })
        {
            using var data = _connection.CreateCommand();
            data.CommandText = sql;
            data.Parameters.AddWithValue("$ids", idList);
            using var reader = data.ExecuteReader();
            while (reader.Read())
            {
                _ = (reader.GetString(0), reader.GetString(1), reader.GetValue(2));
                values++;
            }
        }

        return values;
    }

    [Benchmark]
    public async Task<int> SearchRunsAsync()
    {
        var page = await _tracker.SearchRunsAsync(new RunSearchQuery { Filter = Filter, OrderBy = ["metrics.m0 DESC"], MaxResults = 100 });
        return page.Runs.Count;
    }
}
