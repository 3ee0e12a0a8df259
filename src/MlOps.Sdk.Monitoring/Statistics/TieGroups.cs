namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>
/// The groups of equal scores in entries sorted by <see cref="ScoreOrder.WithLabels"/>, lowest first, each as its count
/// of positives and negatives: all the ROC AUC and DeLong's placements need. Without labels, the entries are packed
/// (the label in bit 0).
/// </summary>
internal ref struct TieGroups
{
    private readonly ReadOnlySpan<ulong> _keys;
    private readonly ReadOnlySpan<bool> _labels;
    private readonly ulong _labelBit;
    private int _next;

    public TieGroups(ReadOnlySpan<ulong> keys, ReadOnlySpan<bool> labels)
    {
        _keys = keys;
        _labels = labels;
        _labelBit = labels.IsEmpty ? 1UL : 0UL;
    }

    /// <summary>The positives and negatives of the current group.</summary>
    public (int Positives, int Negatives) Current { get; private set; }

    public readonly TieGroups GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_next >= _keys.Length)
        {
            return false;
        }

        var start = _next;
        var key = _keys[start] | _labelBit;
        var positives = 0;
        do
        {
            positives += _labelBit != 0 ? (int)(_keys[_next] & 1) : _labels[_next] ? 1 : 0;
            _next++;
        }
        while (_next < _keys.Length && (_keys[_next] | _labelBit) == key);

        Current = (positives, _next - start - positives);
        return true;
    }
}
