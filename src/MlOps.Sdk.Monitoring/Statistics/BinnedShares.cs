namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>The share of the reference and of the current sample in each bin (or category), bin for bin.</summary>
/// <param name="Reference">Reference shares.</param>
/// <param name="Current">Current shares.</param>
public sealed record BinnedShares(double[] Reference, double[] Current)
{
    /// <summary>
    /// Evidently's binning of a numeric column (<c>get_binned_data</c>): when the reference has more than 20 distinct
    /// values, Sturges bins over both samples together; otherwise each distinct value is a category.
    /// </summary>
    /// <param name="reference">The reference sample.</param>
    /// <param name="current">The current sample.</param>
    /// <param name="fillEmpty">
    /// Replace empty shares as Evidently does for PSI: by the smallest non-zero share / 10⁶ when that is ≤ 0.0001,
    /// else by 0.0001 (per side). Off for Jensen-Shannon.
    /// </param>
    public static BinnedShares Evidently(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, bool fillEmpty)
    {
        if (reference.IsEmpty || current.IsEmpty)
        {
            throw new MlOpsValidationException("Both samples need at least one value.");
        }

        var distinct = new HashSet<double>();
        foreach (var value in reference)
        {
            distinct.Add(value);
        }

        BinnedShares shares;
        if (distinct.Count > 20)
        {
            var all = new double[reference.Length + current.Length];
            reference.CopyTo(all);
            current.CopyTo(all.AsSpan(reference.Length));
            var edges = Histogram.SturgesEdges(all);
            shares = new BinnedShares(
                Divide(Histogram.Counts(reference, edges), reference.Length),
                Divide(Histogram.Counts(current, edges), current.Length));
        }
        else
        {
            shares = Categories<double>(reference, current, fillEmpty: false);
        }

        return fillEmpty ? shares.FillEmpty() : shares;
    }

    /// <summary>
    /// Each distinct value of either sample is a category (null and NaN are missing, not categories); shares are of each
    /// sample's length, missing values included, as Evidently counts them.
    /// </summary>
    public static BinnedShares Categories<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> current, bool fillEmpty)
        where T : notnull
    {
        // A null that reaches here despite the annotation is a missing value: it never becomes a dictionary key.
        var keys = new Dictionary<T, (long Reference, long Current)>();
        foreach (var value in reference)
        {
            if (!IsMissing(value))
            {
                keys[value] = keys.TryGetValue(value, out var c) ? (c.Reference + 1, c.Current) : (1, 0);
            }
        }

        foreach (var value in current)
        {
            if (!IsMissing(value))
            {
                keys[value] = keys.TryGetValue(value, out var c) ? (c.Reference, c.Current + 1) : (0, 1);
            }
        }

        var (referenceLength, currentLength) = (reference.Length, current.Length);
        var shares = new BinnedShares(
            keys.Values.Select(c => (double)c.Reference / referenceLength).ToArray(),
            keys.Values.Select(c => (double)c.Current / currentLength).ToArray());
        return fillEmpty ? shares.FillEmpty() : shares;
    }

    /// <summary>Shares already computed (from counts), with empty ones filled as <see cref="Evidently"/> does when asked.</summary>
    internal static BinnedShares Of(double[] reference, double[] current, bool fillEmpty)
    {
        var shares = new BinnedShares(reference, current);
        return fillEmpty ? shares.FillEmpty() : shares;
    }

    private BinnedShares FillEmpty() => new(Fill(Reference), Fill(Current));

    private static double[] Fill(double[] shares)
    {
        var smallest = shares.Where(s => s != 0).DefaultIfEmpty(double.NaN).Min();
        var filler = smallest <= 0.0001 ? smallest / 1e6 : 0.0001;
        return shares.Select(s => s == 0 ? filler : s).ToArray();
    }

    /// <summary>Null and NaN are missing values, not categories.</summary>
    internal static bool IsMissing<T>(T value) => value is null || (value is double d && double.IsNaN(d));

    private static double[] Divide(long[] counts, int total) => counts.Select(c => (double)c / total).ToArray();
}
