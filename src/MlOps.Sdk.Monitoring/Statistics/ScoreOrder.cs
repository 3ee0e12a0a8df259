namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>
/// The order of scores, ascending, by a least-significant-digit radix sort on the doubles' order-preserving bits:
/// O(n) passes instead of O(n log n) comparisons, which makes ranking 100,000 scores cheaper than the model run that
/// produced them. NaN sorts last.
/// </summary>
internal static class ScoreOrder
{
    private const int DigitBits = 11;
    private const int Buckets = 1 << DigitBits;

    /// <summary>The indices of <paramref name="scores"/> from the lowest score to the highest (stable).</summary>
    public static int[] Ascending(ReadOnlySpan<double> scores)
    {
        var n = scores.Length;
        var keys = new ulong[n];
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            keys[i] = Key(scores[i]);
            order[i] = i;
        }

        var swapKeys = new ulong[n];
        var swapOrder = new int[n];
        var counts = new int[Buckets];
        for (var shift = 0; shift < 64; shift += DigitBits)
        {
            Array.Clear(counts);
            foreach (var key in keys)
            {
                counts[(int)((key >> shift) & (Buckets - 1))]++;
            }

            if (counts.Contains(n))
            {
                continue; // every key has this digit: the pass would not move anything
            }

            for (int b = 0, total = 0; b < Buckets; b++)
            {
                (counts[b], total) = (total, total + counts[b]);
            }

            for (var i = 0; i < n; i++)
            {
                var at = counts[(int)((keys[i] >> shift) & (Buckets - 1))]++;
                swapKeys[at] = keys[i];
                swapOrder[at] = order[i];
            }

            (keys, swapKeys) = (swapKeys, keys);
            (order, swapOrder) = (swapOrder, order);
        }

        return order;
    }

    /// <summary>Unsigned keys in the doubles' numeric order (−0 and +0 equal, NaN above +∞).</summary>
    private static ulong Key(double score)
    {
        if (double.IsNaN(score))
        {
            return ulong.MaxValue;
        }

        var bits = (ulong)BitConverter.DoubleToInt64Bits(score == 0 ? 0 : score);
        return (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
    }
}
