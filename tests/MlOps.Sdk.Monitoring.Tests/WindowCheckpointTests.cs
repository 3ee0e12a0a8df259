using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.State;
using Xunit;
using Row = MlOps.Sdk.Monitoring.Tests.MonitorTests.Row;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>The open window survives a restart through a real SQLite file.</summary>
public sealed class WindowCheckpointTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mlops-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task AWindowCheckpointedBeforeARestart_IsContinuedAfterIt_AndGivesTheBatchVerdicts()
    {
        var random = new Random(30);
        var reference = ReferenceProfile.Build(Enumerable.Range(0, 800).Select(_ => Row(random, 0)));
        var rows = Enumerable.Range(0, 1000).Select(_ => Row(random, 0.4)).ToList();

        await using (var before = Provider())
        {
            using var monitor = new DriftMonitor<Row>(reference, new DriftOptions { WindowSize = 1000 });
            rows.Take(600).ToList().ForEach(monitor.Observe);
            Assert.Equal(600, await monitor.CheckpointAsync(before.GetRequiredService<StateStore>(), "drift/fraud"));
        }

        await using var after = Provider();
        var store = after.GetRequiredService<StateStore>();
        using var restarted = new DriftMonitor<Row>(reference, new DriftOptions { WindowSize = 1000 });
        var closed = new TaskCompletionSource<DriftReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        restarted.WindowClosed += (_, r) => closed.TrySetResult(r);

        Assert.Equal(600, await restarted.RestoreAsync(store, "drift/fraud"));
        rows.Skip(600).ToList().ForEach(restarted.Observe);
        var report = await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(restarted.Evaluate(rows).Features, report.Features);
        Assert.Throws<InvalidOperationException>(() => restarted.RestoreAsync(store, "drift/fraud").GetAwaiter().GetResult());
    }

    [Fact]
    public async Task ASnapshotOfOtherFeatures_OrCorruptBytes_AreIgnored()
    {
        await using var provider = Provider();
        var store = provider.GetRequiredService<StateStore>();
        var random = new Random(31);
        var reference = ReferenceProfile.Build(Enumerable.Range(0, 300).Select(_ => Row(random, 0)));
        using (var monitor = new DriftMonitor<Row>(reference, new DriftOptions { WindowSize = 100 }))
        {
            monitor.Observe(Row(random, 0));
            await monitor.CheckpointAsync(store, "drift/a");
        }

        var other = ReferenceProfile.Build(Enumerable.Range(0, 300).Select(_ => Row(random, 0)), include: p => p != "Country");
        using var withOtherFeatures = new DriftMonitor<Row>(other, new DriftOptions { WindowSize = 100 });
        await store.PutAsync("drift/corrupt", new byte[] { 1, 0, 0, 0, 7 });
        using var fresh = new DriftMonitor<Row>(reference, new DriftOptions { WindowSize = 100 });

        Assert.Equal(0, await withOtherFeatures.RestoreAsync(store, "drift/a"));
        Assert.Equal(0, await fresh.RestoreAsync(store, "drift/corrupt"));
        Assert.Equal(0, await fresh.RestoreAsync(store, "drift/none"));
        Assert.Equal(1, await fresh.RestoreAsync(store, "drift/a"));
    }

    private ServiceProvider Provider()
    {
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = _root).UseSqlite();
        return services.BuildServiceProvider();
    }

    private static Row Row(Random random, double shift) => new()
    {
        Amount = random.NextDouble() + shift,
        V = [(float)random.NextDouble(), (float)random.NextDouble(), (float)(random.NextDouble() + shift)],
        Optional = random.NextDouble() < 0.2 ? null : random.NextDouble(),
        Country = random.NextDouble() < 0.5 ? "FR" : "DE",
        Flag = random.NextDouble() < 0.3,
    };
}
