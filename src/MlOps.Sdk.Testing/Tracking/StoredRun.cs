using MlOps.Sdk.Tracking;

namespace MlOps.Sdk.Testing.Tracking;

internal sealed class StoredRun(string runId, string experimentId, string name, DateTimeOffset startTime, long leaseExpiresAt)
{
    public string ExperimentId => experimentId;

    public RunStatus Status { get; set; } = RunStatus.Running;

    public DateTimeOffset? EndTime { get; set; }

    public long LeaseExpiresAt { get; set; } = leaseExpiresAt;

    public Dictionary<string, string> Params { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<Metric>> Series { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Metric> Latest { get; } = new(StringComparer.Ordinal);

    public List<DatasetInput> Inputs { get; } = [];

    public SortedDictionary<string, RunArtifact> Artifacts { get; } = new(StringComparer.Ordinal);

    public void Append(string key, ReadOnlySpan<Metric> points)
    {
        if (points.IsEmpty)
        {
            return;
        }

        if (!Series.TryGetValue(key, out var list))
        {
            Series[key] = list = [];
        }

        list.AddRange(points);
        var latest = MetricSegmentCodec.Latest(points);
        if (!Latest.TryGetValue(key, out var current) || latest.Step > current.Step || (latest.Step == current.Step && latest.Timestamp >= current.Timestamp))
        {
            Latest[key] = latest;
        }
    }

    public RunInfo Info(long now) =>
        Status == RunStatus.Running && LeaseExpiresAt < now
            ? new RunInfo(runId, experimentId, name, RunStatus.Killed, startTime, DateTimeOffset.FromUnixTimeMilliseconds(LeaseExpiresAt))
            : new RunInfo(runId, experimentId, name, Status, startTime, EndTime);

    public Run Snapshot(long now) => new(
        Info(now),
        new Dictionary<string, string>(Params, StringComparer.Ordinal),
        new Dictionary<string, Metric>(Latest, StringComparer.Ordinal),
        new Dictionary<string, string>(Tags, StringComparer.Ordinal),
        Inputs.ToList(),
        Artifacts.Values.ToList());
}
