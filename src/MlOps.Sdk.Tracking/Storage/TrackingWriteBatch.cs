namespace MlOps.Sdk.Tracking.Storage;

/// <summary>What the background writer hands a <see cref="TrackingStore"/> in one atomic write.</summary>
/// <remarks>The writer reuses the batch and its point buffers: a store must copy what it keeps before <c>WriteAsync</c> returns.</remarks>
public sealed class TrackingWriteBatch
{
    /// <summary>Points to append, grouped by series.</summary>
    public List<MetricAppend> Metrics { get; } = [];

    /// <summary>Params to write once.</summary>
    public List<RunValue> Params { get; } = [];

    /// <summary>Tags to set; a null value deletes the tag.</summary>
    public List<RunTag> Tags { get; } = [];

    /// <summary>Dataset inputs to record; recording the same input twice keeps one.</summary>
    public List<RunInput> Inputs { get; } = [];

    /// <summary>Runs whose lease to extend to <see cref="LeaseExpiresAt"/>.</summary>
    public List<string> LeaseRenewals { get; } = [];

    /// <summary>The new lease expiry of <see cref="LeaseRenewals"/>.</summary>
    public DateTimeOffset LeaseExpiresAt { get; set; }

    /// <summary>Whether there is nothing to write.</summary>
    public bool IsEmpty => Metrics.Count == 0 && Params.Count == 0 && Tags.Count == 0 && Inputs.Count == 0 && LeaseRenewals.Count == 0;

    /// <summary>The number of metric points in the batch.</summary>
    public int PointCount
    {
        get
        {
            var count = 0;
            foreach (var series in Metrics)
            {
                count += series.Points.Length;
            }

            return count;
        }
    }

    /// <summary>Empties the batch for reuse.</summary>
    public void Clear()
    {
        Metrics.Clear();
        Params.Clear();
        Tags.Clear();
        Inputs.Clear();
        LeaseRenewals.Clear();
    }
}

/// <summary>Points appended to one metric series of a run, in the order they were logged.</summary>
public readonly record struct MetricAppend(string RunId, string Key, ReadOnlyMemory<Metric> Points);

/// <summary>A key and value of a run.</summary>
public readonly record struct RunValue(string RunId, string Key, string Value);

/// <summary>A tag of a run; a null value deletes it.</summary>
public readonly record struct RunTag(string RunId, string Key, string? Value);

/// <summary>A dataset input of a run.</summary>
public readonly record struct RunInput(string RunId, DatasetInput Input);

/// <summary>What a write could not apply.</summary>
/// <param name="ParamConflicts">Params already stored with another value: they kept the stored value.</param>
public sealed record TrackingWriteResult(IReadOnlyList<ParamConflict> ParamConflicts)
{
    /// <summary>A result with nothing to report.</summary>
    public static TrackingWriteResult Success { get; } = new([]);
}

/// <summary>A param written with a value different from the stored one.</summary>
public sealed record ParamConflict(string RunId, string Key, string StoredValue, string RejectedValue);
