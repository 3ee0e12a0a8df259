namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>
/// <c>np.sum</c> of float64 values in the order numpy visits them (numpy 1.2x): each buffer of 8,192 values summed
/// pairwise (blocks of at most 128 values in eight interleaved partial sums), the buffers added in order to zero.
/// Evidently's permutation tests compare statistics that tie in exact arithmetic; numpy's rounding decides those ties,
/// so reproducing its p-values takes its order of addition.
/// </summary>
internal sealed class NumpySum
{
    private const int BufferLength = 8_192;
    private readonly double[] _buffer = new double[BufferLength];
    private int _count;
    private double _total;

    /// <summary>The sum so far.</summary>
    public double Total => _total + Pairwise(_buffer.AsSpan(0, _count));

    /// <summary>The sum of contiguous values, as <c>np.sum</c> of a one-dimensional array.</summary>
    public static double Of(ReadOnlySpan<double> values)
    {
        double total = 0;
        for (var start = 0; start < values.Length; start += BufferLength)
        {
            total += Pairwise(values.Slice(start, Math.Min(BufferLength, values.Length - start)));
        }

        return total;
    }

    /// <summary>Starts a new sum.</summary>
    public void Clear() => (_count, _total) = (0, 0);

    /// <summary>Adds the next value in numpy's order of visit.</summary>
    public void Add(double value)
    {
        _buffer[_count++] = value;
        if (_count == BufferLength)
        {
            _total += Pairwise(_buffer);
            _count = 0;
        }
    }

    /// <summary>numpy's <c>pairwise_sum</c>.</summary>
    private static double Pairwise(ReadOnlySpan<double> a)
    {
        var n = a.Length;
        if (n < 8)
        {
            var sum = 0.0;
            foreach (var value in a)
            {
                sum += value;
            }

            return sum;
        }

        if (n <= 128)
        {
            double r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7];
            var i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                r0 += a[i];
                r1 += a[i + 1];
                r2 += a[i + 2];
                r3 += a[i + 3];
                r4 += a[i + 4];
                r5 += a[i + 5];
                r6 += a[i + 6];
                r7 += a[i + 7];
            }

            var result = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++)
            {
                result += a[i];
            }

            return result;
        }

        var half = n / 2;
        half -= half % 8;
        return Pairwise(a[..half]) + Pairwise(a[half..]);
    }
}
