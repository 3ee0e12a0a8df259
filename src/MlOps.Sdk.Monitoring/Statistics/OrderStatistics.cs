using System.Numerics.Tensors;

namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>
/// Order statistics of two samples taken together without sorting or copying them: one pass counts the values into
/// equal-width buckets between the minimum and the maximum, a second gathers only the buckets that hold the ranks
/// asked for, and those few values are sorted. Exact for any data (a skewed sample only makes the gathered buckets larger).
/// </summary>
internal static class OrderStatistics
{
    private const int Buckets = 1 << 12;

    /// <summary>scipy's <c>iqr</c> of both samples together: numpy's linear 75th minus 25th percentile.</summary>
    public static double InterquartileRange(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var n = a.Length + b.Length;
        var (low25, low75) = ((long)Math.Floor(0.25 * (n - 1)), (long)Math.Floor(0.75 * (n - 1)));
        Span<double> values = stackalloc double[4];
        Find(a, b, [low25, Math.Min(low25 + 1, n - 1), low75, Math.Min(low75 + 1, n - 1)], values);
        return Lerp(values[2], values[3], (0.75 * (n - 1)) - low75) - Lerp(values[0], values[1], (0.25 * (n - 1)) - low25);
    }

    /// <summary>numpy's lerp: from the nearer end, so that t = 1 gives the upper value exactly.</summary>
    private static double Lerp(double below, double above, double t) =>
        t >= 0.5 ? above - ((above - below) * (1 - t)) : below + ((above - below) * t);

    /// <summary>The values of the given 0-based ranks among <paramref name="a"/> and <paramref name="b"/> together (no NaN).</summary>
    public static void Find(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<long> ranks, Span<double> results)
    {
        var min = Math.Min(a.IsEmpty ? double.PositiveInfinity : TensorPrimitives.Min(a), b.IsEmpty ? double.PositiveInfinity : TensorPrimitives.Min(b));
        var max = Math.Max(a.IsEmpty ? double.NegativeInfinity : TensorPrimitives.Max(a), b.IsEmpty ? double.NegativeInfinity : TensorPrimitives.Max(b));
        var scale = (Buckets - 1) / (max - min);
        if (min == max || !double.IsFinite(scale) || scale == 0)
        {
            // One value, or a range too narrow or too wide to bucket: sort a copy.
            double[] sorted = [.. a, .. b];
            Array.Sort(sorted);
            for (var r = 0; r < ranks.Length; r++)
            {
                results[r] = sorted[ranks[r]];
            }

            return;
        }

        var counts = new long[Buckets];
        Count(a, min, scale, counts);
        Count(b, min, scale, counts);

        // The bucket of each rank, and the rank's position among that bucket's values.
        Span<int> bucketOf = stackalloc int[ranks.Length];
        Span<long> within = stackalloc long[ranks.Length];
        for (var r = 0; r < ranks.Length; r++)
        {
            long before = 0;
            var bucket = 0;
            while (before + counts[bucket] <= ranks[r])
            {
                before += counts[bucket++];
            }

            (bucketOf[r], within[r]) = (bucket, ranks[r] - before);
        }

        // Each bucket asked for gets a list; every other bucket maps to none (-1).
        var slot = new int[Buckets];
        slot.AsSpan().Fill(-1);
        var lists = new List<List<double>>();
        foreach (var bucket in bucketOf)
        {
            if (slot[bucket] < 0)
            {
                slot[bucket] = lists.Count;
                lists.Add(new List<double>((int)counts[bucket]));
            }
        }

        Gather(a, min, scale, slot, lists);
        Gather(b, min, scale, slot, lists);
        foreach (var list in lists)
        {
            list.Sort();
        }

        for (var r = 0; r < ranks.Length; r++)
        {
            results[r] = lists[slot[bucketOf[r]]][(int)within[r]];
        }
    }

    private static int Bucket(double value, double min, double scale) => Math.Min(Buckets - 1, (int)((value - min) * scale));

    private static void Count(ReadOnlySpan<double> values, double min, double scale, long[] counts)
    {
        foreach (var v in values)
        {
            counts[Bucket(v, min, scale)]++;
        }
    }

    private static void Gather(ReadOnlySpan<double> values, double min, double scale, int[] slot, List<List<double>> lists)
    {
        foreach (var v in values)
        {
            var s = slot[Bucket(v, min, scale)];
            if (s >= 0)
            {
                lists[s].Add(v);
            }
        }
    }
}
