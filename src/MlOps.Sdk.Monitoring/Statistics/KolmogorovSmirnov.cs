namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>How <see cref="KolmogorovSmirnov.TwoSample"/> computes its p-value.</summary>
public enum KsMethod
{
    /// <summary>Exact when both samples have at most 10,000 values, asymptotic otherwise (scipy's <c>auto</c>).</summary>
    Auto,

    /// <summary>The exact distribution (falls back to asymptotic where it cannot be computed, as scipy does).</summary>
    Exact,

    /// <summary>Kolmogorov's distribution for the effective sample size m·n/(m + n).</summary>
    Asymptotic,
}

/// <summary>
/// The two-sided two-sample Kolmogorov-Smirnov test, statistic and p-value as <c>scipy.stats.ks_2samp</c> (scipy 1.10)
/// computes them: exact p-values by lattice-path counting (Hodges; the 1 − p recursion of Viehmann 2021), asymptotic
/// ones from the distribution of the one-sample statistic at n = round(m·n/(m + n)) (Simard and L'Ecuyer 2011).
/// </summary>
public static class KolmogorovSmirnov
{
    private const int MaxExactSize = 10_000;

    /// <summary>Runs the test; both samples must be non-empty and finite.</summary>
    public static TestResult TwoSample(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, KsMethod method = KsMethod.Auto)
    {
        Distances.RequireSamples(reference, current);
        return TwoSampleSorted(Distances.Sorted(reference), Distances.Sorted(current), method);
    }

    /// <summary>The test on samples already sorted ascending (and finite): no copy, no allocation.</summary>
    internal static TestResult TwoSampleSorted(ReadOnlySpan<double> a, ReadOnlySpan<double> b, KsMethod method = KsMethod.Auto)
    {
        var d = Statistic(a, b);
        var (n1, n2) = (a.Length, b.Length);
        var g = Gcd(n1, n2);
        if (method == KsMethod.Auto)
        {
            method = Math.Max(n1, n2) <= MaxExactSize ? KsMethod.Exact : KsMethod.Asymptotic;
        }
        else if (method == KsMethod.Exact && n1 / g >= int.MaxValue / (double)(n2 / g))
        {
            method = KsMethod.Asymptotic;
        }

        if (method == KsMethod.Exact)
        {
            var lcm = (long)(n1 / g) * n2;
            var h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
            d = (double)h / lcm;
            if (h == 0)
            {
                return new TestResult(d, 1);
            }

            var p = n1 == n2 ? OutsideSquare(n1, h) : OutsideInsideMethod(n1, n2, g, h);
            if (double.IsFinite(p) && p is >= 0 and <= 1)
            {
                return new TestResult(d, p);
            }
        }

        var (m, n) = (Math.Max(n1, n2), Math.Min(n1, n2));
        var effective = Math.Round((double)m * n / (m + n), MidpointRounding.ToEven);
        return new TestResult(d, Math.Clamp(KolmogorovDistribution.Survival((int)effective, d), 0, 1));
    }

    /// <summary>sup |F₁ − F₂| over the pooled values, the empirical CDFs taken right-continuous.</summary>
    private static double Statistic(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double max = 0;
        double min = 0;
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            var x = j >= b.Length || (i < a.Length && a[i] <= b[j]) ? a[i] : b[j];
            while (i < a.Length && a[i] == x)
            {
                i++;
            }

            while (j < b.Length && b[j] == x)
            {
                j++;
            }

            var difference = ((double)i / a.Length) - ((double)j / b.Length);
            max = Math.Max(max, difference);
            min = Math.Min(min, difference);
        }

        return Math.Max(max, Math.Clamp(-min, 0, 1));
    }

    /// <summary>P(D ≥ h/n) for equal sizes n: the share of lattice paths that leave the band |x − y| &lt; h.</summary>
    private static double OutsideSquare(int n, long h)
    {
        double p = 0;
        for (var k = (long)Math.Floor((double)n / h); k >= 0; k--)
        {
            var term = 1.0;
            for (long j = 0; j < h; j++)
            {
                term = (n - (k * h) - j) * term / (n + (k * h) + j + 1);
            }

            p = term * (1.0 - p);
        }

        return 2 * p;
    }

    /// <summary>
    /// P(D ≥ h/lcm(m, n)) for different sizes: one minus the share of lattice paths from (0, 0) to (m, n) that stay
    /// strictly inside |x/m − y/n| &lt; h/lcm, accumulated as 1 − p column by column so that it does not cancel.
    /// </summary>
    private static double OutsideInsideMethod(int m, int n, int g, long h)
    {
        if (m < n)
        {
            (m, n) = (n, m);
        }

        long mg = m / g;
        long ng = n / g;
        var minj = 0;
        var maxj = (int)Math.Min((long)Math.Ceiling((double)h / mg), n + 1);
        var currentLength = maxj - minj;
        var column = new double[Math.Min((2 * maxj) + 2, n + 1)];
        Array.Fill(column, 1.0);
        Array.Fill(column, 0.0, minj, maxj - minj);
        for (var i = 1; i <= m; i++)
        {
            var (lastMinj, lastLength) = (minj, currentLength);
            minj = (int)Math.Min(Math.Max(Math.Floor((double)((ng * i) - h) / mg) + 1, 0), n);
            maxj = (int)Math.Min(Math.Ceiling((double)((ng * i) + h) / mg), n + 1);
            if (maxj <= minj)
            {
                return 1.0;
            }

            var value = minj == 0 ? 0.0 : 1.0;
            for (var jj = 0; jj < maxj - minj; jj++)
            {
                var j = jj + minj;
                value = ((column[jj + minj - lastMinj] * i) + (value * j)) / (i + j);
                column[jj] = value;
            }

            currentLength = maxj - minj;
            if (lastLength > currentLength)
            {
                Array.Fill(column, 1.0, maxj - minj, Math.Min(lastLength - currentLength, column.Length - (maxj - minj)));
            }
        }

        return column[maxj - minj - 1];
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
