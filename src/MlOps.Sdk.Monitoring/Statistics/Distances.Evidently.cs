namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>Energy distance, total variation distance and Kullback-Leibler divergence.</summary>
public static partial class Distances
{
    /// <summary>
    /// The energy distance between two samples, as <c>scipy.stats.energy_distance(u, v)</c>: √2 times the L² distance
    /// between their empirical CDFs.
    /// </summary>
    public static double Energy(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        RequireSamples(u, v);
        double[] a = Sorted(u), b = Sorted(v);
        double squares = 0;
        int i = 0, j = 0;
        var previous = Math.Min(a[0], b[0]);
        while (i < a.Length || j < b.Length)
        {
            var next = j >= b.Length || (i < a.Length && a[i] <= b[j]) ? a[i] : b[j];
            var gap = ((double)i / a.Length) - ((double)j / b.Length);
            squares += gap * gap * (next - previous);
            while (i < a.Length && a[i] == next)
            {
                i++;
            }

            while (j < b.Length && b[j] == next)
            {
                j++;
            }

            previous = next;
        }

        return Math.Sqrt(2 * squares);
    }

    /// <summary>
    /// The total variation distance between two categorical samples, Evidently's definition: ½ Σ |r − c| over the share of
    /// each category either sample has.
    /// </summary>
    public static double TotalVariation<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> current)
        where T : notnull
    {
        var shares = BinnedShares.Categories(reference, current, fillEmpty: false);
        double sum = 0;
        for (var k = 0; k < shares.Reference.Length; k++)
        {
            sum += Math.Abs(shares.Reference[k] - shares.Current[k]);
        }

        return sum / 2;
    }

    /// <summary>
    /// The Kullback-Leibler divergence D(reference ‖ current) in nats, as Evidently's <c>kl_div</c> computes it:
    /// <c>scipy.stats.entropy</c> of the binned shares (give <see cref="BinnedShares.Evidently"/> with empty bins filled),
    /// each normalized to sum to one first.
    /// </summary>
    public static double KullbackLeibler(BinnedShares shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        double referenceTotal = shares.Reference.Sum(), currentTotal = shares.Current.Sum();
        double divergence = 0;
        for (var k = 0; k < shares.Reference.Length; k++)
        {
            var p = shares.Reference[k] / referenceTotal;
            var q = shares.Current[k] / currentTotal;
            divergence += p == 0 ? 0 : p * Math.Log(p / q);
        }

        return divergence;
    }
}
