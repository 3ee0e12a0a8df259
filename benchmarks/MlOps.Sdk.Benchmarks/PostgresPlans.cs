using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance.Services;
using MlOps.Sdk.Tracking;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// Prints PostgreSQL's plans (<c>auto_explain</c>, with actual rows and times) of the five scale queries over the
/// store <see cref="PostgresSearchScaleBenchmarks"/> filled with a million runs: <c>-- pg-plans</c>.
/// </summary>
internal static class PostgresPlans
{
    public static async Task PrintAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mlops-search-scale-pg");
        if (!File.Exists(Path.Combine(directory, "1000000", "complete")))
        {
            throw new InvalidOperationException("Run PostgresSearchScaleBenchmarks first: it fills the million-run store.");
        }

        PostgreSqlServer.Settings = "-c shared_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 -c auto_explain.log_analyze=on -c auto_explain.log_buffers=on";
        var server = PostgreSqlServer.StartAt(Path.Combine(directory, "cluster"));
        var log = Path.Combine(directory, "cluster", "log");
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = Path.Combine(directory, "1000000")).AddTracking().UsePostgreSql(o =>
        {
            o.ConnectionString = server.ConnectionString;
            o.Schema = "scale_1000000";
        });
        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ExperimentTracker>();
        var queries = new (string Name, RunSearchQuery Query)[]
        {
            ("metrics.m0 > 0.9 by metrics.m0 DESC", new() { Filter = "metrics.m0 > 0.9", OrderBy = ["metrics.m0 DESC"], MaxResults = 100 }),
            ("(m0 > 0.9 OR params.p1 = 'v3') AND m5 < 0.5", new() { Filter = "(metrics.m0 > 0.9 OR params.p1 = 'v3') AND metrics.m5 < 0.5", OrderBy = ["metrics.m0 DESC"], MaxResults = 100 }),
            ("tags.t1 = 'x42', page of 10", new() { Filter = "tags.t1 = 'x42'", MaxResults = 10 }),
            ("all runs by metrics.m0 DESC, page 1", new() { OrderBy = ["metrics.m0 DESC"], MaxResults = 100 }),
        };

        foreach (var (name, query) in queries)
        {
            await tracker.SearchRunsAsync(query);
            var page = await tracker.SearchRunsAsync(query);
            var start = new FileInfo(log).Length;
            await tracker.SearchRunsAsync(query with { PageToken = page.NextPageToken });
            Console.WriteLine($"=== {name} (its second page)");
            Console.WriteLine(Plans(log, start));
        }
    }

    /// <summary>The plans logged after <paramref name="offset"/>, of the search's run queries (not the page's data loads).</summary>
    private static string Plans(string log, long offset)
    {
        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Position = offset;
        var text = new StreamReader(stream).ReadToEnd();
        var plans = text.Split("LOG:  duration:", StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.Contains("Query Text: SELECT r.run_id", StringComparison.Ordinal));
        return string.Join("\n", plans.Select(p => "duration:" + p.TrimEnd()));
    }
}
