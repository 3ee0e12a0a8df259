namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>
/// Histograms exactly as numpy builds them: <c>np.histogram_bin_edges(x, bins="sturges")</c> and
/// <c>np.histogram(x, bins=edges)</c> with explicit edges (each bin half-open, the last one closed).
/// </summary>
public static class Histogram
{
    /// <summary>
    /// Sturges' equal-width edges over <paramref name="values"/>: width = range / (log2(n) + 1), as many bins as the
    /// range needs (at least one), edges spaced as <c>np.linspace</c> spaces them. A constant sample gets one bin of
    /// width 1 centred on it.
    /// </summary>
    /// <exception cref="MlOpsValidationException">No values, or a value that is not finite.</exception>
    public static double[] SturgesEdges(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            throw new MlOpsValidationException("Bin edges need at least one value.");
        }

        var first = double.PositiveInfinity;
        var last = double.NegativeInfinity;
        foreach (var value in values)
        {
            if (!double.IsFinite(value))
            {
                throw new MlOpsValidationException($"Bin edges need finite values; found {value}.");
            }

            first = Math.Min(first, value);
            last = Math.Max(last, value);
        }

        var width = (last - first) / (Math.Log2(values.Length) + 1.0);
        var bins = width > 0 ? (int)Math.Ceiling((last - first) / width) : 1;
        if (first == last)
        {
            first -= 0.5;
            last += 0.5;
        }

        var edges = new double[bins + 1];
        var step = (last - first) / bins;
        for (var i = 0; i < bins; i++)
        {
            edges[i] = (i * step) + first;
        }

        edges[bins] = last;
        return edges;
    }

    /// <summary>Counts per bin: bin i holds edges[i] ≤ x &lt; edges[i + 1], the last bin also x = edges[^1]; values outside are not counted.</summary>
    public static long[] Counts(ReadOnlySpan<double> values, ReadOnlySpan<double> edges)
    {
        if (edges.Length < 2)
        {
            throw new MlOpsValidationException("A histogram needs at least two edges.");
        }

        var counts = new long[edges.Length - 1];
        foreach (var value in values)
        {
            if (!(value >= edges[0] && value <= edges[^1]))
            {
                continue;
            }

            // The last edge with edges[i] <= value; the top edge belongs to the last bin.
            var i = edges.BinarySearch(value);
            i = i >= 0 ? LastEqual(edges, i) : ~i - 1;
            counts[Math.Min(i, counts.Length - 1)]++;
        }

        return counts;
    }

    private static int LastEqual(ReadOnlySpan<double> edges, int i)
    {
        while (i + 1 < edges.Length && edges[i + 1] == edges[i])
        {
            i++;
        }

        return i;
    }
}
