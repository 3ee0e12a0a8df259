using System.Buffers;

namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>Labels in the order of their scores (pooled arrays, returned on disposal), read as <see cref="TieGroups"/>.</summary>
internal readonly struct RankedLabels : IDisposable
{
    private readonly ulong[] _keys;
    private readonly bool[] _labels;
    private readonly int _count;
    private readonly bool _packed;

    private RankedLabels(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        _count = labels.Length;
        _keys = ArrayPool<ulong>.Shared.Rent(_count);
        _labels = ArrayPool<bool>.Shared.Rent(_count);
        _packed = ScoreOrder.WithLabels(scores, labels, _keys.AsSpan(0, _count), _labels.AsSpan(0, _count));
    }

    /// <summary>The groups of equal scores, lowest first.</summary>
    public TieGroups Groups => new(_keys.AsSpan(0, _count), _packed ? default : _labels.AsSpan(0, _count));

    /// <summary>Ranks <paramref name="labels"/> by <paramref name="scores"/> (the same length).</summary>
    public static RankedLabels Rank(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores) => new(labels, scores);

    public void Dispose()
    {
        ArrayPool<ulong>.Shared.Return(_keys);
        ArrayPool<bool>.Shared.Return(_labels);
    }
}
