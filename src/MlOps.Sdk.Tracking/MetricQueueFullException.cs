namespace MlOps.Sdk.Tracking;

/// <summary>A metric point could not be queued because the background writer is behind; nothing was logged.</summary>
public sealed class MetricQueueFullException : MlOpsException
{
    /// <summary>Creates the error.</summary>
    public MetricQueueFullException(int capacity)
        : base($"The metric queue is full ({capacity} points wait for the store). Log less often, await FlushAsync, raise TrackingOptions.QueueCapacity, or set TrackingOptions.QueueFullMode = Wait.")
    {
    }

    /// <summary>Creates the error for a caller that waited <paramref name="waited"/> for room in vain.</summary>
    public MetricQueueFullException(int capacity, TimeSpan waited)
        : base($"The metric queue stayed full ({capacity} points wait for the store) for {waited}: the store is not keeping up or is failing. Nothing was logged; see the log for the store's errors.")
    {
    }
}
