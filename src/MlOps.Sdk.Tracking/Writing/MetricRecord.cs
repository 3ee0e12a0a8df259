namespace MlOps.Sdk.Tracking.Writing;

/// <summary>A queued metric point.</summary>
internal readonly struct MetricRecord(string runId, string key, double value, long step, long timestamp)
{
    public readonly string RunId = runId;
    public readonly string Key = key;
    public readonly double Value = value;
    public readonly long Step = step;
    public readonly long Timestamp = timestamp;
}
