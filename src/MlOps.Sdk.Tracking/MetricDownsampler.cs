using MlOps.Sdk.Tracking.Storage;

namespace MlOps.Sdk.Tracking;

/// <summary>Streams a series once into equal-width step buckets keeping count, min, max and last point.</summary>
internal sealed class MetricDownsampler
{
    private readonly Accumulator[] _buckets;
    private readonly MetricSeriesSummary _summary;
    private readonly bool _byStep;
    private readonly double _width;
    private long _index;

    public MetricDownsampler(MetricSeriesSummary summary, int bucketCount)
    {
        _summary = summary;
        _byStep = summary.MaxStep > summary.MinStep;
        var span = _byStep ? (double)summary.MaxStep - summary.MinStep + 1 : summary.Count;
        var count = (int)Math.Max(1, Math.Min(bucketCount, span));
        _buckets = new Accumulator[count];
        _width = span / count;
    }

    public void Add(Metric point)
    {
        var position = _byStep ? point.Step - _summary.MinStep : _index;
        _index++;
        var i = (int)Math.Min(_buckets.Length - 1, Math.Max(0, position / _width));
        _buckets[i].Add(point);
    }

    public IReadOnlyList<MetricBucket> Result()
    {
        var result = new List<MetricBucket>(_buckets.Length);
        foreach (var b in _buckets)
        {
            if (b.Count > 0)
            {
                result.Add(new MetricBucket(b.FirstStep, b.LastStep, b.Count, b.Min, b.Max, b.Last));
            }
        }

        return result;
    }

    private struct Accumulator
    {
        public long Count;
        public long FirstStep;
        public long LastStep;
        public double Min;
        public double Max;
        public Metric Last;

        public void Add(Metric p)
        {
            if (Count == 0)
            {
                FirstStep = LastStep = p.Step;
                Min = Max = double.NaN;
                Last = p;
            }

            Count++;
            FirstStep = Math.Min(FirstStep, p.Step);
            LastStep = Math.Max(LastStep, p.Step);
            if (!double.IsNaN(p.Value))
            {
                Min = double.IsNaN(Min) ? p.Value : Math.Min(Min, p.Value);
                Max = double.IsNaN(Max) ? p.Value : Math.Max(Max, p.Value);
            }

            if (p.Step > Last.Step || (p.Step == Last.Step && p.Timestamp >= Last.Timestamp))
            {
                Last = p;
            }
        }
    }
}
