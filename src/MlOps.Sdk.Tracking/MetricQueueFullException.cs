namespace MlOps.Sdk.Tracking;

/// <summary>A metric point could not be queued because the background writer is behind; nothing was logged.</summary>
public sealed class MetricQueueFullException : MlOpsException
{
    /// <summary>Creates the error.</summary>
    public MetricQueueFullException(int capacity)
        : base($"The metric queue is full ({capacity} points wait for the store). Log less often, await FlushAsync, or raise TrackingOptions.QueueCapacity.")
    {
    }
}
