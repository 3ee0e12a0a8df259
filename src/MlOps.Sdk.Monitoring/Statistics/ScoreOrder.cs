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

    /// <summary>
    /// Writes into <paramref name="order"/> the indices of <paramref name="scores"/> from the lowest score to the highest
    /// (stable). The working arrays come from the shared pool: ranking allocates nothing on the large-object heap, whose
    /// allocations would cost the caller full collections.
    /// </summary>
    public static void Ascending(ReadOnlySpan<double> scores, Span<int> order)
    {
        var n = scores.Length;
        var pool = System.Buffers.ArrayPool<ulong>.Shared;
        var indexPool = System.Buffers.ArrayPool<int>.Shared;
        var keysArray = pool.Rent(n);
        var swapKeysArray = pool.Rent(n);
        var swapOrderArray = indexPool.Rent(n);
        var counts = indexPool.Rent(Buckets);
        try
        {
            Span<ulong> keys = keysArray.AsSpan(0, n);
            Span<ulong> swapKeys = swapKeysArray.AsSpan(0, n);
            Span<int> current = order;
            Span<int> swapOrder = swapOrderArray.AsSpan(0, n);
            for (var i = 0; i < n; i++)
            {
                keys[i] = Key(scores[i]);
                current[i] = i;
            }

            for (var shift = 0; shift < 64; shift += DigitBits)
            {
                var histogram = counts.AsSpan(0, Buckets);
                histogram.Clear();
                foreach (var key in keys)
                {
                    histogram[(int)((key >> shift) & (Buckets - 1))]++;
                }

                if (histogram.Contains(n))
                {
                    continue; // every key has this digit: the pass would not move anything
                }

                for (int b = 0, total = 0; b < Buckets; b++)
                {
                    (histogram[b], total) = (total, total + histogram[b]);
                }

                for (var i = 0; i < n; i++)
                {
                    var at = histogram[(int)((keys[i] >> shift) & (Buckets - 1))]++;
                    swapKeys[at] = keys[i];
                    swapOrder[at] = current[i];
                }

                var keysBefore = keys;
                keys = swapKeys;
                swapKeys = keysBefore;
                var orderBefore = current;
                current = swapOrder;
                swapOrder = orderBefore;
            }

            if (current != order)
            {
                current.CopyTo(order);
            }
        }
        finally
        {
            pool.Return(keysArray);
            pool.Return(swapKeysArray);
            indexPool.Return(swapOrderArray);
            indexPool.Return(counts);
        }
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
