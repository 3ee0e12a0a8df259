using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Storage;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// The cost of <see cref="ActiveRun.LogMetric(string, double, long, DateTimeOffset?)"/> on the caller's thread against a bare bounded
/// channel write of the same struct. In both a background reader drains the queue, so neither ever fills; the
/// tracker's writer hands its batches to a store that keeps nothing, so only the caller's side is measured
/// (storage has its own benchmark, <see cref="TrackingIngestBenchmarks"/>).
/// </summary>
[MemoryDiagnoser]
public class TrackingHotPathBenchmarks
{
    private const string Key = "loss";

    // Large enough that a descheduled reader never fills it: the drop path is not what is measured.
    private const int Capacity = 10_000_000;
    private readonly string _runId = Guid.NewGuid().ToString("N");
    private Channel<QueuedPoint> _channel = null!;
    private Task _drain = null!;
    private ServiceProvider _services = null!;
    private ActiveRun _run = null!;
    private long _step;

    [GlobalSetup(Target = nameof(ChannelTryWrite))]
    public void SetupChannel()
    {
        _channel = Channel.CreateBounded<QueuedPoint>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _drain = Task.Run(async () =>
        {
            // The same drain strategy as the tracker's writer: read all, pause 1 ms, wait only when empty.
            while (await _channel.Reader.WaitToReadAsync())
            {
                while (_channel.Reader.TryRead(out _))
                {
                }

                await Task.Delay(TimeSpan.FromMilliseconds(1));
            }
        });
    }

    [GlobalCleanup(Target = nameof(ChannelTryWrite))]
    public void CleanupChannel()
    {
        _channel.Writer.Complete();
        _drain.GetAwaiter().GetResult();
    }

    [GlobalSetup(Target = nameof(LogMetric))]
    public void SetupTracker()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddTracking(o => o.QueueCapacity = Capacity).UseInMemoryStores();
        services.AddSingleton<TrackingStore, DiscardingTrackingStore>();
        _services = services.BuildServiceProvider();
        _run = _services.GetRequiredService<ExperimentTracker>().StartRunAsync("bench").GetAwaiter().GetResult();
    }

    [GlobalCleanup(Target = nameof(LogMetric))]
    public void CleanupTracker()
    {
        _run.EndAsync().GetAwaiter().GetResult();
        _services.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_run.DroppedPoints != 0)
        {
            throw new InvalidOperationException($"{_run.DroppedPoints} points were dropped: the measurement includes the cheaper drop path and is void.");
        }
    }

    [Benchmark(Baseline = true)]
    public bool ChannelTryWrite() => _channel.Writer.TryWrite(new QueuedPoint(_runId, Key, 0.5, _step++, 1_767_225_600_000));

    [Benchmark]
    public void LogMetric() => _run.LogMetric(Key, 0.5, _step++);

    /// <summary>The tracker's queued point, field for field: what the baseline writes.</summary>
    private readonly record struct QueuedPoint(string RunId, string Key, double Value, long Step, long Timestamp);
}
