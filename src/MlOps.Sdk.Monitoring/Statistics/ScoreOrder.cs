using System.Buffers;

namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>
/// Scores in ascending order, by a least-significant-digit radix sort on the doubles' order-preserving bits: O(n)
/// passes instead of O(n log n) comparisons, which makes ranking 100,000 scores cheaper than the model run that produced
/// them. One read counts every digit; a digit all keys share is not sorted on (a float score widened to a double leaves
/// the low 29 bits zero, so two of the six passes go). NaN sorts last. Working arrays come from the shared pool: ranking
/// allocates nothing on the large-object heap, whose allocations would cost the caller full collections.
/// </summary>
internal static class ScoreOrder
{
    private const int DigitBits = 11;
    private const int Buckets = 1 << DigitBits;

    /// <summary>Writes into <paramref name="order"/> the indices of <paramref name="scores"/> from the lowest score to the highest (stable).</summary>
    public static void Ascending(ReadOnlySpan<double> scores, Span<int> order)
    {
        var keys = ArrayPool<ulong>.Shared.Rent(scores.Length);
        try
        {
            for (var i = 0; i < scores.Length; i++)
            {
                keys[i] = Key(scores[i]);
                order[i] = i;
            }

            Sort(keys.AsSpan(0, scores.Length), order, firstBit: 0);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(keys);
        }
    }

    /// <summary>
    /// Sorts the scores with their labels, enough for the ROC AUC and DeLong's placements, which need the class counts
    /// of each tie group and not which row was where. When every score is a float (as ONNX models give them), each entry
    /// packs the float's key in its high half and the label in bit 0, and three passes over 8-byte entries sort them;
    /// otherwise <paramref name="entries"/> holds the doubles' keys and <paramref name="sortedLabels"/> the labels.
    /// </summary>
    /// <returns>Whether the entries are packed (and <paramref name="sortedLabels"/> unused).</returns>
    public static bool WithLabels(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, Span<ulong> entries, Span<bool> sortedLabels)
    {
        var packed = true;
        for (var i = 0; i < scores.Length && packed; i++)
        {
            var score = scores[i];
            var single = (float)score;
            packed = single == score || double.IsNaN(score);
            entries[i] = ((ulong)Key(single) << 32) | (labels[i] ? 1UL : 0UL);
        }

        if (packed)
        {
            Sort(entries, Span<byte>.Empty, firstBit: 32);
            return true;
        }

        for (var i = 0; i < scores.Length; i++)
        {
            entries[i] = Key(scores[i]);
        }

        labels.CopyTo(sortedLabels);
        Sort(entries, sortedLabels, firstBit: 0);
        return false;
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

    /// <summary>Unsigned keys in the floats' numeric order (−0 and +0 equal, NaN above +∞).</summary>
    private static uint Key(float score)
    {
        if (float.IsNaN(score))
        {
            return uint.MaxValue;
        }

        var bits = BitConverter.SingleToUInt32Bits(score == 0 ? 0 : score);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }

    /// <summary>
    /// Sorts <paramref name="keys"/> ascending on their bits from <paramref name="firstBit"/> up, stably, moving each
    /// key's <paramref name="payload"/> (when there is one) with it.
    /// </summary>
    private static void Sort<T>(Span<ulong> keys, Span<T> payload, int firstBit)
        where T : unmanaged
    {
        var n = keys.Length;
        if (n < 2)
        {
            return;
        }

        var digits = (64 - firstBit + DigitBits - 1) / DigitBits;
        var countsArray = ArrayPool<int>.Shared.Rent(digits * Buckets);
        var swapKeysArray = ArrayPool<ulong>.Shared.Rent(n);
        var swapPayloadArray = ArrayPool<T>.Shared.Rent(payload.IsEmpty ? 0 : n);
        try
        {
            var counts = countsArray.AsSpan(0, digits * Buckets);
            counts.Clear();
            foreach (var key in keys)
            {
                for (var d = 0; d < digits; d++)
                {
                    counts[(d * Buckets) + (int)((key >> (firstBit + (d * DigitBits))) & (Buckets - 1))]++;
                }
            }

            var moved = !payload.IsEmpty;
            Span<ulong> fromKeys = keys, toKeys = swapKeysArray.AsSpan(0, n);
            Span<T> fromPayload = payload, toPayload = swapPayloadArray.AsSpan(0, moved ? n : 0);
            for (var d = 0; d < digits; d++)
            {
                var histogram = counts.Slice(d * Buckets, Buckets);
                var shift = firstBit + (d * DigitBits);
                if (histogram[(int)((fromKeys[0] >> shift) & (Buckets - 1))] == n)
                {
                    continue; // every key has this digit: the pass would not move anything
                }

                for (int b = 0, total = 0; b < Buckets; b++)
                {
                    (histogram[b], total) = (total, total + histogram[b]);
                }

                for (var i = 0; i < n; i++)
                {
                    var key = fromKeys[i];
                    var at = histogram[(int)((key >> shift) & (Buckets - 1))]++;
                    toKeys[at] = key;
                    if (moved)
                    {
                        toPayload[at] = fromPayload[i];
                    }
                }

                var keysBefore = fromKeys;
                fromKeys = toKeys;
                toKeys = keysBefore;
                var payloadBefore = fromPayload;
                fromPayload = toPayload;
                toPayload = payloadBefore;
            }

            if (fromKeys != keys)
            {
                fromKeys.CopyTo(keys);
                fromPayload.CopyTo(payload);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(countsArray);
            ArrayPool<ulong>.Shared.Return(swapKeysArray);
            ArrayPool<T>.Shared.Return(swapPayloadArray);
        }
    }
}
