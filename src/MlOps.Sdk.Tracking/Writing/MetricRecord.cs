namespace MlOps.Sdk.Tracking.Writing;

/// <summary>A queued metric point, or a flush marker when <see cref="Flush"/> is set.</summary>
internal readonly struct MetricRecord(string runId, string key, double value, long step, long timestamp, FlushRequest? flush = null)
{
    public readonly string RunId = runId;
    public readonly string Key = key;
    public readonly double Value = value;
    public readonly long Step = step;
    public readonly long Timestamp = timestamp;
    public readonly FlushRequest? Flush = flush;
}
