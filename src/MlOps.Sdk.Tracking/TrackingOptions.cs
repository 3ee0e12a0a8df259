using System.ComponentModel.DataAnnotations;

namespace MlOps.Sdk.Tracking;

/// <summary>Options of the Tracking layer.</summary>
public sealed class TrackingOptions
{
    /// <summary>How many metric points may wait in memory for the background writer.</summary>
    /// <value>The default is 100,000 (a ring of 131,072 slots, about 6 MB).</value>
    [Range(1, 100_000_000)]
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>What <see cref="ActiveRun.LogMetric(string, double, long, DateTimeOffset?)"/> does when the queue is full.</summary>
    /// <value>
    /// The default is <see cref="MetricQueueFullMode.DropNewest"/>: the point is counted as dropped and the caller is not
    /// delayed, which suits code that must never wait (a request thread). A training loop that logs faster than the
    /// store writes should choose <see cref="MetricQueueFullMode.Wait"/>: it keeps every point and slows the loop down
    /// to the store's pace only while the queue is full.
    /// </value>
    public MetricQueueFullMode QueueFullMode { get; set; } = MetricQueueFullMode.DropNewest;

    /// <summary>How long <see cref="MetricQueueFullMode.Wait"/> waits for room before it throws <see cref="MetricQueueFullException"/>.</summary>
    /// <value>The default is 30 seconds: a store that takes longer to write 100,000 points is failing, not slow.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan QueueWaitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether stopping the host ends the runs this process still has open, as <see cref="RunStatus.Killed"/> with the tag
    /// <c>mlops.end_reason = host_stopped</c>, once everything they logged is written. Without it they read as running until
    /// their lease runs out, and then as killed, like the runs of a process that crashed.
    /// </summary>
    /// <value>The default is true.</value>
    public bool EndRunsOnStop { get; set; } = true;

    /// <summary>The most metric points the writer puts in one store transaction.</summary>
    /// <value>The default is 50,000.</value>
    [Range(1, 10_000_000)]
    public int MaxBatchSize { get; set; } = 50_000;

    /// <summary>
    /// How long the writer lets points gather after a write before it looks at the queue again. While it waits,
    /// logging threads never have to wake it, which is what keeps <see cref="ActiveRun.LogMetric(string, double, long, DateTimeOffset?)"/>
    /// cheap under load; <see cref="ActiveRun.FlushAsync"/> may take this much longer.
    /// </summary>
    /// <value>The default is 1 millisecond; zero writes as soon as anything is queued.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>How long a run stays running without its process renewing the lease; after that it reads as killed.</summary>
    /// <value>The default is 60 seconds. The writer renews every third of it.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RunLease { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>What happens to a metric point logged while the writer's queue is full.</summary>
public enum MetricQueueFullMode
{
    /// <summary>Drop the point, count it (<see cref="ActiveRun.DroppedPoints"/>, meter <c>mlops.tracking.points.dropped</c>) and log a warning once per run.</summary>
    DropNewest,

    /// <summary>Throw <see cref="MetricQueueFullException"/> so the caller can slow down or flush.</summary>
    Throw,

    /// <summary>
    /// Block the caller until the writer has made room, at most <see cref="TrackingOptions.QueueWaitTimeout"/> (then throw
    /// <see cref="MetricQueueFullException"/>). Nothing is dropped; a call that finds room costs what it costs in the other modes.
    /// </summary>
    Wait,
}
