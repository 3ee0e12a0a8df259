namespace MlOps.Sdk.Serving;

/// <summary>How a host coalesces concurrent <see cref="ModelHost{TIn, TOut}.PredictAsync"/> calls into one run.</summary>
public sealed class MicroBatchingOptions
{
    /// <summary>The most calls one run serves.</summary>
    /// <value>The default is 32.</value>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>
    /// The longest a batch waits to fill up. A batch only waits while it is smaller than the one before it, that is,
    /// while callers are known to be coming, and it waits by letting the thread pool run them first; a lone caller
    /// never waits.
    /// </summary>
    /// <value>The default is 200 microseconds.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMicroseconds(200);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, TimeSpan.Zero, nameof(MaxDelay));
    }
}
