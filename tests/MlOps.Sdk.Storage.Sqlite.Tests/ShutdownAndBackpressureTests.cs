using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Storage;
using Xunit;

namespace MlOps.Sdk.Storage.Sqlite.Tests;

/// <summary>How runs end when their process is told to stop, how the metric queue waits for room, and a root that cannot be written.</summary>
public sealed class ShutdownAndBackpressureTests : IDisposable
{
    private readonly SqliteTestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    [Trait("Category", "Fault")]
    public async Task SigTerm_ToAHostMidRun_EndsTheRunAtOnce_AsKilledByTheStop_WithWhatItAcknowledged()
    {
        await using var child = ChildProcess.Start("host-log-until-stopped", _directory.Root, "graceful");
        var runId = await child.ReadLineAsync("RUN ", TimeSpan.FromSeconds(60));
        Assert.NotNull(runId);
        Assert.NotNull(await child.ReadLineAsync("ACK ", TimeSpan.FromSeconds(60)));

        child.Terminate();

        Assert.Equal(0, await child.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        long acknowledged = 0;
        while (child.Lines.TryRead(out var line))
        {
            if (line.StartsWith("ACK ", StringComparison.Ordinal))
            {
                acknowledged = long.Parse(line[4..], CultureInfo.InvariantCulture);
            }
        }

        // Read at once: well inside the 60 s lease a crashed process would leave the run running for.
        await using var services = _directory.BuildServices();
        var run = await services.GetRequiredService<ExperimentTracker>().GetRunAsync(runId);
        Assert.NotNull(run);
        Assert.Equal(RunStatus.Killed, run.Info.Status);
        Assert.NotNull(run.Info.EndTime);
        Assert.Equal("host_stopped", run.Tags[ActiveRun.EndReasonTag]);
        var series = await services.GetRequiredService<TrackingStore>().GetMetricSeriesAsync(runId, "step");
        Assert.True(series!.Count >= Math.Max(acknowledged, 1000), $"{acknowledged} acknowledged, {series.Count} stored");
    }

    [Fact]
    public async Task LogMetric_WaitMode_AMillionCallsInATightLoop_StoreAMillionPoints()
    {
        await using var services = _directory.BuildServices(o =>
        {
            o.QueueCapacity = 10_000;
            o.QueueFullMode = MetricQueueFullMode.Wait;
        });
        var tracker = services.GetRequiredService<ExperimentTracker>();
        string runId;
        await using (var run = await tracker.StartRunAsync("backpressure"))
        {
            runId = run.Id;
            for (var step = 0; step < 1_000_000; step++)
            {
                run.LogMetric("loss", 1.0 / (step + 1), step);
            }

            Assert.Equal(0, run.DroppedPoints);
        }

        var series = await services.GetRequiredService<TrackingStore>().GetMetricSeriesAsync(runId, "loss");
        Assert.Equal(1_000_000, series!.Count);
    }

    [Fact]
    public async Task RootDirectory_ThatCannotBeWritten_FailsOnStartAndOnUse_NamingIt()
    {
        Directory.CreateDirectory(_directory.Root);
        var file = Path.Combine(_directory.Root, "a-file");
        await File.WriteAllTextAsync(file, "not a directory");
        var root = Path.Combine(file, "mlops");
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = root).AddTracking().UseSqlite();
        await using var provider = services.BuildServiceProvider();

        // What ValidateOnStart runs when the host starts; an app without a host meets the same at first use.
        var invalid = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MlOpsOptions>>().Value);
        Assert.Contains(root, invalid.Message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ExperimentTracker>());

        // A database path of its own that cannot be written: a typed error naming the directory, at first use.
        var other = new ServiceCollection();
        other.AddMlOps(o => o.RootDirectory = Path.Combine(_directory.Root, "ok")).AddTracking().UseSqlite(o => o.DatabasePath = Path.Combine(file, "db", "mlops.db"));
        await using var second = other.BuildServiceProvider();
        var error = await Assert.ThrowsAsync<MlOpsException>(() => second.GetRequiredService<ExperimentTracker>().StartRunAsync("x"));
        Assert.Contains(Path.Combine(file, "db"), error.Message, StringComparison.Ordinal);
    }
}
