namespace MlOps.Sdk.Tracking.Writing;

/// <summary>The points of one series gathered for the next batch; the array is reused from batch to batch.</summary>
internal sealed class SeriesBuffer(string runId, string key)
{
    private Metric[] _points = new Metric[64];

    public string RunId { get; } = runId;

    public string Key { get; } = key;

    public int Count { get; private set; }

    public long LastBatch { get; set; }

    public ReadOnlyMemory<Metric> Points => _points.AsMemory(0, Count);

    public void Add(Metric point)
    {
        if (Count == _points.Length)
        {
            Array.Resize(ref _points, _points.Length * 2);
        }

        _points[Count++] = point;
    }

    public void Clear() => Count = 0;
}
