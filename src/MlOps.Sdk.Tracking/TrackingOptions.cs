using System.ComponentModel.DataAnnotations;

namespace MlOps.Sdk.Tracking;

/// <summary>Options of the Tracking layer.</summary>
public sealed class TrackingOptions
{
    /// <summary>How many metric points may wait in memory for the background writer.</summary>
    /// <value>The default is 100,000 (about 5 MB).</value>
    [Range(1, 100_000_000)]
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>What <see cref="ActiveRun.LogMetric(string, double, long)"/> does when the queue is full.</summary>
    /// <value>The default is <see cref="MetricQueueFullMode.DropNewest"/>: the point is counted as dropped and the caller is not delayed.</value>
    public MetricQueueFullMode QueueFullMode { get; set; } = MetricQueueFullMode.DropNewest;

    /// <summary>The most metric points the writer puts in one store transaction.</summary>
    /// <value>The default is 50,000.</value>
    [Range(1, 10_000_000)]
    public int MaxBatchSize { get; set; } = 50_000;

    /// <summary>
    /// How long the writer lets points gather after a write before it looks at the queue again. While it waits,
    /// logging threads never have to wake it, which is what keeps <see cref="ActiveRun.LogMetric(string, double, long)"/>
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
}
