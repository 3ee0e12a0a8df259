using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Storage;
using Xunit;
using Xunit.Abstractions;

namespace MlOps.Sdk.Storage.Sqlite.Tests;

[Trait("Category", "Fault")]
public sealed class CrashAndConcurrencyTests(ITestOutputHelper output) : IDisposable
{
    private readonly SqliteTestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task KillDashNine_WhileLogging_KeepsEveryAcknowledgedPointAndReadsAsKilled()
    {
        const int kills = 20;
        var acknowledged = new Dictionary<string, long>();
        for (var i = 0; i < kills; i++)
        {
            await using var child = ChildProcess.Start("log-forever", _directory.Root, "crash", "500");
            var runId = await child.ReadLineAsync("RUN ", TimeSpan.FromSeconds(60));
            Assert.NotNull(runId);
            Assert.NotNull(await child.ReadLineAsync("ACK ", TimeSpan.FromSeconds(60)));
            await Task.Delay(Random.Shared.Next(0, 300));
            await child.KillAsync();

            long last = 0;
            while (child.Lines.TryRead(out var line))
            {
                if (line.StartsWith("ACK ", StringComparison.Ordinal))
                {
                    last = long.Parse(line[4..], CultureInfo.InvariantCulture);
                }
            }

            acknowledged[runId] = Math.Max(last, 500);
            Assert.Equal("ok", _directory.IntegrityCheck());
        }

        // The workers hold a 2 s lease; once it has run out, every run they left reads as killed.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await using var services = _directory.BuildServices();
        var tracker = services.GetRequiredService<ExperimentTracker>();
        foreach (var (runId, count) in acknowledged)
        {
            var run = await tracker.GetRunAsync(runId);
            Assert.NotNull(run);
            Assert.Equal(RunStatus.Killed, run.Info.Status);
            var summary = await services.GetRequiredService<TrackingStore>().GetMetricSeriesAsync(runId, "step");
            Assert.NotNull(summary);
            Assert.True(summary.Count >= count, $"Run {runId}: {count} points acknowledged, {summary.Count} stored.");
            var steps = new List<long>();
            await foreach (var point in tracker.GetMetricHistoryAsync(runId, "step"))
            {
                steps.Add(point.Step);
            }

            Assert.Equal(Enumerable.Range(0, steps.Count).Select(s => (long)s), steps);
            output.WriteLine($"run {runId}: acknowledged {count}, stored {summary.Count}");
        }

        Assert.Equal(kills, acknowledged.Count);
    }

    [Fact]
    public async Task FourProcesses_LoggingIntoOneStore_LoseNothing()
    {
        const long points = 250_000;
        var children = Enumerable.Range(0, 4).Select(_ => ChildProcess.Start("log-count", _directory.Root, "shared", points.ToString(CultureInfo.InvariantCulture), "1000")).ToList();
        var runIds = new List<string>();
        try
        {
            foreach (var child in children)
            {
                var done = await child.ReadLineAsync("DONE ", TimeSpan.FromMinutes(3));
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

        Assert.Equal("ok", _directory.IntegrityCheck());
        await using var services = _directory.BuildServices();
        var tracker = services.GetRequiredService<ExperimentTracker>();
        var store = services.GetRequiredService<TrackingStore>();
        foreach (var runId in runIds)
        {
            var run = await tracker.GetRunAsync(runId);
            Assert.Equal(RunStatus.Finished, run!.Info.Status);
            Assert.Equal(points, (await store.GetMetricSeriesAsync(runId, "loss"))!.Count);
            Assert.Equal(points, (await store.GetMetricSeriesAsync(runId, "step"))!.Count);
            Assert.Equal(points - 1, run.Metrics["step"].Value);
        }

        var found = await tracker.SearchRunsAsync(new RunSearchQuery { ExperimentNames = ["shared"] });
        Assert.Equal(4, found.Runs.Count);
    }

    [Fact]
    public async Task EightProcesses_OpeningAFreshDatabase_MigrateOnce()
    {
        var children = Enumerable.Range(0, 8).Select(_ => ChildProcess.Start("migrate", _directory.Root)).ToList();
        try
        {
            foreach (var child in children)
            {
                Assert.NotNull(await child.ReadLineAsync("OK ", TimeSpan.FromMinutes(2)));
                Assert.Equal(0, await child.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            }
        }
        finally
        {
            foreach (var child in children)
            {
                await child.DisposeAsync();
            }
        }

        Assert.Equal("ok", _directory.IntegrityCheck());
        await using var services = _directory.BuildServices();
        var experiments = await services.GetRequiredService<ExperimentTracker>().ListExperimentsAsync();
        Assert.Equal("migrate", Assert.Single(experiments).Name);
        var runs = await services.GetRequiredService<ExperimentTracker>().SearchRunsAsync(new RunSearchQuery());
        Assert.Equal(8, runs.Runs.Count);
    }
}
