namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>Distances between two samples or two distributions, each as the named reference defines it.</summary>
public static partial class Distances
{
    /// <summary>
    /// The first Wasserstein (earth mover's) distance between two samples: the area between their empirical CDFs, as
    /// <c>scipy.stats.wasserstein_distance(u, v)</c>.
    /// </summary>
    public static double Wasserstein(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        RequireSamples(u, v);
        return WassersteinSorted(Sorted(u), Sorted(v));
    }

    /// <summary>Wasserstein-1 of samples already sorted ascending (and finite): no copy, no allocation.</summary>
    internal static double WassersteinSorted(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double distance = 0;
        int i = 0, j = 0;
        var previous = Math.Min(a[0], b[0]);
        while (i < a.Length || j < b.Length)
        {
            var next = j >= b.Length || (i < a.Length && a[i] <= b[j]) ? a[i] : b[j];
            distance += Math.Abs(((double)i / a.Length) - ((double)j / b.Length)) * (next - previous);
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

        return distance;
    }

    /// <summary>
    /// Evidently's normed Wasserstein distance: <see cref="Wasserstein"/> divided by the reference's population standard
    /// deviation, floored at 0.001 so that a constant reference does not divide by zero.
    /// </summary>
    public static double WassersteinNormed(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        return Wasserstein(reference, current) / NormFor(reference);
    }

    /// <summary>Evidently's divisor: the population standard deviation, floored at 0.001.</summary>
    internal static double NormFor(ReadOnlySpan<double> reference)
    {
        double mean = 0;
        foreach (var x in reference)
        {
            mean += x;
        }

        mean /= reference.Length;
        double squares = 0;
        foreach (var x in reference)
        {
            squares += (x - mean) * (x - mean);
        }

        return Math.Max(Math.Sqrt(squares / reference.Length), 0.001);
    }

    /// <summary>
    /// The population stability index, Evidently's formula: Σ (ref − cur) · ln(ref / cur) over the bins. Give it shares
    /// with empty bins filled (<see cref="BinnedShares.Evidently"/> with fillEmpty), or an empty bin makes it infinite.
    /// </summary>
    public static double PopulationStabilityIndex(BinnedShares shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        double psi = 0;
        for (var i = 0; i < shares.Reference.Length; i++)
        {
            var (r, c) = (shares.Reference[i], shares.Current[i]);
            psi += (r - c) * Math.Log(r / c);
        }

        return psi;
    }

    /// <summary>
    /// The Jensen-Shannon distance (the square root of the divergence) between two distributions, each normalised to
    /// sum 1, as <c>scipy.spatial.distance.jensenshannon(p, q, base)</c>: natural log by default, or the given base.
    /// </summary>
    public static double JensenShannon(ReadOnlySpan<double> p, ReadOnlySpan<double> q, double? logBase = null)
    {
        if (p.Length != q.Length || p.IsEmpty)
        {
            throw new MlOpsValidationException("Jensen-Shannon needs two distributions over the same, non-empty set of bins.");
        }

        var (sp, sq) = (Sum(p), Sum(q));
        double divergence = 0;
        for (var i = 0; i < p.Length; i++)
        {
            var (a, b) = (p[i] / sp, q[i] / sq);
            var m = (a + b) / 2;
            divergence += RelativeEntropy(a, m) + RelativeEntropy(b, m);
        }

        if (logBase is { } b2)
        {
            divergence /= Math.Log(b2);
        }

        return Math.Sqrt(divergence / 2);
    }

    /// <summary>
    /// Evidently's Hellinger distance between two categorical samples: √(1 − Σ √(p·q)) over the categories, the sum
    /// clipped to [0, 1].
    /// </summary>
    public static double Hellinger(BinnedShares shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        double overlap = 0;
        for (var i = 0; i < shares.Reference.Length; i++)
        {
            overlap += Math.Sqrt(shares.Reference[i] * shares.Current[i]);
        }

        return Math.Sqrt(1 - Math.Clamp(overlap, 0, 1));
    }

    /// <summary>
    /// Evidently's Hellinger distance between two numeric samples: density histograms on Sturges edges over the distinct
    /// values of both samples, Σ √(p·q) · (range / bins), clipped to [0, 1], then √(1 − ·). When both samples hold one
    /// and the same value the distributions are equal and the distance is 0, by the definition; Evidently's formula,
    /// whose bin width is then 0, would give 1.
    /// </summary>
    public static double HellingerNumeric(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        RequireSamples(reference, current);
        var distinct = new SortedSet<double>();
        foreach (var x in reference)
        {
            distinct.Add(x);
        }

        foreach (var x in current)
        {
            distinct.Add(x);
        }

        var keys = distinct.ToArray();
        if (keys.Length == 1)
        {
            return 0;
        }

        var edges = Histogram.SturgesEdges(keys);
        var h1 = Density(Histogram.Counts(reference, edges), edges);
        var h2 = Density(Histogram.Counts(current, edges), edges);
        var width = (keys[^1] - keys[0]) / h1.Length;
        double overlap = 0;
        for (var i = 0; i < h1.Length; i++)
        {
            overlap += Math.Sqrt(h1[i] * h2[i]) * width;
        }

        return Math.Sqrt(1 - Math.Clamp(overlap, 0, 1));
    }

    internal static double[] Sorted(ReadOnlySpan<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    internal static void RequireSamples(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.IsEmpty || b.IsEmpty)
        {
            throw new MlOpsValidationException("Both samples need at least one value.");
        }

        foreach (var x in a)
        {
            RequireFinite(x);
        }

        foreach (var x in b)
        {
            RequireFinite(x);
        }

        static void RequireFinite(double x)
        {
            if (!double.IsFinite(x))
            {
                throw new MlOpsValidationException($"Samples must be finite; found {x}. Drop or count missing and infinite values first.");
            }
        }
    }

    private static double[] Density(long[] counts, double[] edges)
    {
        var total = counts.Sum();
        return counts.Select((c, i) => total == 0 ? 0 : c / (total * (edges[i + 1] - edges[i]))).ToArray();
    }

    private static double Sum(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (var x in values)
        {
            sum += x;
        }

        return sum;
    }

    /// <summary>x · ln(x / y), 0 when x = 0 (scipy's <c>rel_entr</c>).</summary>
    private static double RelativeEntropy(double x, double y) => x > 0 && y > 0 ? x * Math.Log(x / y) : x == 0 && y >= 0 ? 0 : double.PositiveInfinity;
}
