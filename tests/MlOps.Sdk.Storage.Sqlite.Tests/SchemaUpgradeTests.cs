using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Tracking;
using Xunit;

namespace MlOps.Sdk.Storage.Sqlite.Tests;

/// <summary>A database written by the previous schema (v5) opens, gains the search indexes, and searches as a new one does.</summary>
public sealed class SchemaUpgradeTests : IDisposable
{
    private readonly SqliteTestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task VersionFiveDatabase_UpgradesToSixWithTagsCarryingTheirRunsStartTimes()
    {
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using (var services = _directory.BuildServices())
        {
            var imports = Enumerable.Range(0, 30).Select(i => new RunImport($"run-{i}", RunStatus.Finished, start.AddMinutes(i * 7 % 30), start.AddHours(1))
            {
                RunId = $"r{i:00}",
                Tags = new Dictionary<string, string> { ["team"] = i % 3 == 0 ? "risk" : "growth" },
                Metrics = new Dictionary<string, IReadOnlyList<Metric>> { ["auc"] = [new Metric(i / 30.0, 0, 0)] },
            });
            await services.GetRequiredService<ExperimentTracker>().ImportRunsAsync("old", imports);
        }

        // Back to what schema 5 wrote: no v6 indexes, tags without start times.
        SqliteConnection.ClearAllPools();
        Execute("""
            DROP INDEX tags_by_key; DROP INDEX params_by_number; DROP INDEX runs_by_start; DROP INDEX runs_by_name;
            DROP INDEX run_inputs_by_name; DROP INDEX run_inputs_by_digest; DROP INDEX metric_series_by_key;
            CREATE INDEX metric_series_by_key ON metric_series(key, last_value);
            ALTER TABLE tags DROP COLUMN start_time;
            PRAGMA user_version=5;
            """);

        await using (var services = _directory.BuildServices())
        {
            var tracker = services.GetRequiredService<ExperimentTracker>();
            var risk = new List<string>();
            string? token = null;
            do
            {
                var page = await tracker.SearchRunsAsync(new RunSearchQuery { Filter = "tags.team = 'risk'", MaxResults = 4, PageToken = token });
                risk.AddRange(page.Runs.Select(r => r.Info.RunId));
                token = page.NextPageToken;
            }
            while (token is not null);

            var expected = Enumerable.Range(0, 30).Where(i => i % 3 == 0).OrderByDescending(i => i * 7 % 30).Select(i => $"r{i:00}").ToList();
            Assert.Equal(expected, risk);
            Assert.Equal(["r29", "r28"], (await tracker.SearchRunsAsync(new RunSearchQuery { Filter = "metrics.auc > 0.9", OrderBy = ["metrics.auc DESC"] })).Runs.Select(r => r.Info.RunId));
        }

        Assert.Equal(6L, Scalar("PRAGMA user_version;"));
        Assert.Equal(0L, Scalar("SELECT count(*) FROM tags t JOIN runs r ON r.run_id = t.run_id WHERE t.start_time != r.start_time;"));
        Assert.Equal("ok", _directory.IntegrityCheck());
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_directory.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_directory.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()!;
    }
}
