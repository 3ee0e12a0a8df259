using MlOps.Sdk.Monitoring.Statistics;

namespace MlOps.Sdk.Monitoring;

/// <summary>The distributions a report draws: at most 20 equal-width bins, or the 20 most common categories.</summary>
internal static class Distributions
{
    private const int MaxBins = 20;

    public static DistributionComparison Numeric(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var low = Math.Min(reference[0], current[0]);
        var high = Math.Max(reference[^1], current[^1]);
        var bins = Math.Clamp((int)Math.Ceiling(Math.Log2(reference.Length) + 1), 1, MaxBins);
        if (low == high)
        {
            (low, high, bins) = (low - 0.5, high + 0.5, 1);
        }

        var edges = new double[bins + 1];
        for (var i = 0; i <= bins; i++)
        {
            edges[i] = i == bins ? high : low + ((high - low) * i / bins);
        }

        return new DistributionComparison(edges, null, Shares(Histogram.Counts(reference, edges), reference.Length), Shares(Histogram.Counts(current, edges), current.Length));
    }

    public static DistributionComparison Categories(IEnumerable<KeyValuePair<string, (long Reference, long Current)>> counts, long referenceSize, long currentSize)
    {
        var ordered = counts.OrderByDescending(c => c.Value.Reference).ThenByDescending(c => c.Value.Current).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
        var shown = ordered.Take(MaxBins - 1).ToList();
        var rest = ordered.Skip(MaxBins - 1).ToList();
        var labels = shown.Select(c => c.Key).ToList();
        var reference = shown.Select(c => (double)c.Value.Reference / referenceSize).ToList();
        var current = shown.Select(c => (double)c.Value.Current / currentSize).ToList();
        if (rest.Count > 0)
        {
            labels.Add($"{rest.Count} more");
            reference.Add((double)rest.Sum(c => c.Value.Reference) / referenceSize);
            current.Add((double)rest.Sum(c => c.Value.Current) / currentSize);
        }

        return new DistributionComparison(null, labels, reference, current);
    }

    private static double[] Shares(long[] counts, int total)
    {
        var shares = new double[counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            shares[i] = (double)counts[i] / total;
        }

        return shares;
    }
}
