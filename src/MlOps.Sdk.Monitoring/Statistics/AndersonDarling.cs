namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>The k-sample Anderson-Darling test, as <c>scipy.stats.anderson_ksamp</c> (scipy 1.10, midrank) computes it.</summary>
public static class AndersonDarling
{
    private static readonly double[] B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
    private static readonly double[] B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
    private static readonly double[] B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
    private static readonly double[] Significance = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

    /// <summary>
    /// Scholz and Stephens' standardized A²akN (the midrank version, for samples with ties) and its p-value, interpolated
    /// as scipy does: a quadratic fit of ln(significance) on the critical values for k − 1 degrees of freedom, capped to
    /// [0.001, 0.25] outside the table (scipy warns there; the cap is the value either way). Evidently's
    /// <c>anderson</c> drift test is this on (reference, current).
    /// </summary>
    /// <exception cref="MlOpsValidationException">Fewer than two samples, an empty sample, a NaN, or fewer than two distinct values in all.</exception>
    public static TestResult KSample(params double[][] samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Length < 2 || samples.Any(s => s is null || s.Length == 0))
        {
            throw new MlOpsValidationException("The Anderson-Darling test needs at least two samples, none of them empty.");
        }

        var sorted = samples.Select(s => MannWhitney.SortedCopy(s)).ToArray();
        var pooled = sorted.Skip(1).Aggregate(sorted[0], Merge);
        var distinct = CountDistinct(pooled);
        if (distinct < 2)
        {
            throw new MlOpsValidationException("The Anderson-Darling test needs more than one distinct value.");
        }

        double k = samples.Length, total = pooled.Length;
        var statistic = Midrank(sorted, pooled, anyTies: distinct < pooled.Length);
        var harmonicSizes = sorted.Sum(s => 1.0 / s.Length);
        double cumulative = 0, h = 0, g = 0;
        for (var j = pooled.Length - 1; j >= 2; j--)
        {
            // hs_cs: the running sum of 1/(N−1), 1/(N−2), ..., 1/2; g sums each term over its position 2, 3, ...
            cumulative += 1.0 / j;
            g += cumulative / (pooled.Length - j + 1);
        }

        h = cumulative + 1;
        var n = total;
        var a = (((4 * g) - 6) * (k - 1)) + ((10 - (6 * g)) * harmonicSizes);
        var b = (((2 * g) - 4) * k * k) + (8 * h * k) + (((2 * g) - (14 * h) - 4) * harmonicSizes) - (8 * h) + (4 * g) - 6;
        var c = (((6 * h) + (2 * g) - 2) * k * k) + (((4 * h) - (4 * g) + 6) * k) + (((2 * h) - 6) * harmonicSizes) + (4 * h);
        var d = (((2 * h) + 6) * k * k) - (4 * h * k);
        var variance = ((a * n * n * n) + (b * n * n) + (c * n) + d) / ((n - 1) * (n - 2) * (n - 3));
        var m = k - 1;
        var standardized = (statistic - m) / Math.Sqrt(variance);
        return new TestResult(standardized, PValue(standardized, m));
    }

    /// <summary>Two sorted arrays as one, in linear time.</summary>
    private static double[] Merge(double[] a, double[] b)
    {
        var merged = new double[a.Length + b.Length];
        int i = 0, j = 0, k = 0;
        while (i < a.Length && j < b.Length)
        {
            merged[k++] = a[i] <= b[j] ? a[i++] : b[j++];
        }

        a.AsSpan(i).CopyTo(merged.AsSpan(k));
        b.AsSpan(j).CopyTo(merged.AsSpan(k + a.Length - i));
        return merged;
    }

    private static int CountDistinct(double[] sorted)
    {
        var count = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            count += i == 0 || sorted[i] != sorted[i - 1] ? 1 : 0;
        }

        return count;
    }

    /// <summary>
    /// A²akN with midranks for ties (scipy's <c>_anderson_ksamp_midrank</c>), in one walk over the pooled values' tie
    /// groups with a cursor into each sorted sample.
    /// </summary>
    private static double Midrank(double[][] samples, double[] pooled, bool anyTies)
    {
        double total = pooled.Length;
        var inner = new double[samples.Length];
        var cursors = new int[samples.Length];
        for (var start = 0; start < pooled.Length;)
        {
            var value = pooled[start];
            var end = start + 1;
            while (end < pooled.Length && pooled[end] == value)
            {
                end++;
            }

            double ties = anyTies ? end - start : 1;
            var bj = start + (ties / 2);
            var denominator = (bj * (total - bj)) - (total * ties / 4);
            for (var i = 0; i < samples.Length; i++)
            {
                var sample = samples[i];
                var left = cursors[i];
                var right = left;
                while (right < sample.Length && sample[right] == value)
                {
                    right++;
                }

                cursors[i] = right;
                var midrank = right - ((right - left) / 2.0);
                var deviation = (total * midrank) - (bj * sample.Length);
                inner[i] += ties / total * deviation * deviation / denominator;
            }

            start = end;
        }

        double sum = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            sum += inner[i] / samples[i].Length;
        }

        return sum * (total - 1) / total;
    }

    /// <summary>scipy's interpolation: exp of the least-squares quadratic through (critical value, ln significance).</summary>
    private static double PValue(double statistic, double m)
    {
        var critical = B0.Select((b0, i) => b0 + (B1[i] / Math.Sqrt(m)) + (B2[i] / m)).ToArray();
        if (statistic < critical.Min())
        {
            return Significance.Max();
        }

        if (statistic > critical.Max())
        {
            return Significance.Min();
        }

        var (c0, c1, c2) = QuadraticFit(critical, [.. Significance.Select(s => Math.Log(s))]);
        return Math.Exp(c0 + (c1 * statistic) + (c2 * statistic * statistic));
    }

    /// <summary>Least squares y ≈ c0 + c1 x + c2 x², by the normal equations solved with Cramer's rule (x centred first).</summary>
    private static (double C0, double C1, double C2) QuadraticFit(double[] x, double[] y)
    {
        var mean = x.Average();
        var s = new double[5];
        var t = new double[3];
        for (var i = 0; i < x.Length; i++)
        {
            var u = x[i] - mean;
            var power = 1.0;
            for (var p = 0; p < 5; p++)
            {
                s[p] += power;
                if (p < 3)
                {
                    t[p] += power * y[i];
                }

                power *= u;
            }
        }

        double Det(double a, double b, double c, double d, double e, double f, double g, double h, double i) =>
            (a * ((e * i) - (f * h))) - (b * ((d * i) - (f * g))) + (c * ((d * h) - (e * g)));
        var determinant = Det(s[0], s[1], s[2], s[1], s[2], s[3], s[2], s[3], s[4]);
        var a0 = Det(t[0], s[1], s[2], t[1], s[2], s[3], t[2], s[3], s[4]) / determinant;
        var a1 = Det(s[0], t[0], s[2], s[1], t[1], s[3], s[2], t[2], s[4]) / determinant;
        var a2 = Det(s[0], s[1], t[0], s[1], s[2], t[1], s[2], s[3], t[2]) / determinant;

        // Back from u = x − mean: a0 + a1 (x − mean) + a2 (x − mean)².
        return (a0 - (a1 * mean) + (a2 * mean * mean), a1 - (2 * a2 * mean), a2);
    }
}
