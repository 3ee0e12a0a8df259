namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>The two-sample Cramér-von Mises test, as <c>scipy.stats.cramervonmises_2samp</c> (scipy 1.10) computes it.</summary>
public static class CramerVonMises
{
    /// <summary>
    /// The statistic T (Anderson 1962, from average ranks) and its p-value: exact (Xiao, Gordon and Yakovlev's frequency
    /// tables) when neither sample has more than 20 values, else from the limiting distribution of the standardized
    /// statistic (Csörgő and Faraway's series, summed until a term falls below 1e-7, as scipy sums it). Evidently's
    /// <c>cramer_von_mises</c> drift test is this on (reference, current).
    /// </summary>
    /// <exception cref="MlOpsValidationException">A sample has fewer than two values, or a value is NaN.</exception>
    public static TestResult TwoSample(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length < 2 || y.Length < 2)
        {
            throw new MlOpsValidationException("Each sample needs at least two values for the Cramér-von Mises test.");
        }

        var (nx, ny) = (x.Length, y.Length);
        var a = MannWhitney.SortedCopy(x);
        var b = MannWhitney.SortedCopy(y);
        double sumX = 0, sumY = 0, position = 0;
        for (int i = 0, j = 0; i < nx || j < ny;)
        {
            var value = j >= ny || (i < nx && a[i] <= b[j]) ? a[i] : b[j];
            var (fromA, fromB) = (i, j);
            while (i < nx && a[i] == value)
            {
                i++;
            }

            while (j < ny && b[j] == value)
            {
                j++;
            }

            // The tie group's average rank against each value's position 1, 2, ... within its own sorted sample.
            var rank = position + (((i - fromA) + (j - fromB) + 1) / 2.0);
            for (var p = fromA + 1; p <= i; p++)
            {
                sumX += (rank - p) * (rank - p);
            }

            for (var p = fromB + 1; p <= j; p++)
            {
                sumY += (rank - p) * (rank - p);
            }

            position += (i - fromA) + (j - fromB);
        }

        var u = (nx * sumX) + (ny * sumY);
        double k2 = (double)nx * ny, n = nx + ny;
        var t = (u / (k2 * n)) - (((4 * k2) - 1) / (6 * n));
        if (Math.Max(nx, ny) <= 20)
        {
            return new TestResult(t, ExactPValue(u, nx, ny));
        }

        var expected = (1 + (1 / n)) / 6;
        var variance = (n + 1) * ((4 * k2 * n) - (3 * (((double)nx * nx) + ((double)ny * ny))) - (2 * k2)) / (45 * n * n * 4 * k2);
        var standardized = (1.0 / 6) + ((t - expected) / Math.Sqrt(45 * variance));
        return new TestResult(t, standardized < 0.003 ? 1 : Math.Max(0, 1 - LimitingCdf(standardized)));
    }

    /// <summary>Csörgő and Faraway (1996), eq. 1.2: the series scipy's <c>_cdf_cvm_inf</c> sums.</summary>
    private static double LimitingCdf(double x)
    {
        double total = 0;
        for (var k = 0; k < 10_000; k++)
        {
            var scale = Math.Exp(SpecialFunctions.LogGamma(k + 0.5) - SpecialFunctions.LogGamma(k + 1)) / (Math.Pow(Math.PI, 1.5) * Math.Sqrt(x));
            double y = (4 * k) + 1;
            var q = y * y / (16 * x);
            var term = scale * Math.Sqrt(y) * Math.Exp(-q) * BesselKQuarter(q);
            total += term;
            if (Math.Abs(term) < 1e-7)
            {
                break;
            }
        }

        return total;
    }

    /// <summary>
    /// K_{1/4}(z), the modified Bessel function of the second kind, from K_ν(z) = ∫₀^∞ e^(−z cosh t) cosh(νt) dt by the
    /// trapezoidal rule, which converges geometrically for this integrand; the step is halved until two sums agree.
    /// </summary>
    internal static double BesselKQuarter(double z)
    {
        if (z > 700)
        {
            return 0;
        }

        // Past t_max the integrand is below e^(−z cosh t) < 1e-300 relative to its peak e^(−z).
        var end = Math.Log((2 * (745 + z)) / z) + 1;
        double previous = double.NaN;
        for (var steps = 64; steps <= 1 << 20; steps *= 2)
        {
            var h = end / steps;
            var sum = 0.5 * Integrand(0, z);
            for (var i = 1; i <= steps; i++)
            {
                sum += Integrand(i * h, z);
            }

            sum *= h;
            if (Math.Abs(sum - previous) <= 1e-15 * sum)
            {
                return sum;
            }

            previous = sum;
        }

        return previous;

        static double Integrand(double t, double z) => Math.Exp(-z * (Math.Cosh(t) - 1)) * Math.Cosh(t / 4) * Math.Exp(-z);
    }

    /// <summary>P(U ≥ u) by the frequency tables of Xiao, Gordon and Yakovlev (2006), as scipy's <c>_pval_cvm_2samp_exact</c>.</summary>
    private static double ExactPValue(double u, int m, int n)
    {
        long lcm = m / Gcd(m, n) * (long)n;
        long a = lcm / m, b = lcm / n;
        double mn = (double)m * n;
        var zeta = Math.Floor(lcm * (double)lcm * (m + n) * ((6 * u) - (mn * ((4 * mn) - 1))) / (6 * mn * mn));
        var tables = new Dictionary<long, double>[m + 1];
        tables[0] = new Dictionary<long, double> { [0] = 1 };
        for (var v = 1; v <= m; v++)
        {
            tables[v] = [];
        }

        for (var row = 0; row <= n; row++)
        {
            var next = new Dictionary<long, double>[m + 1];
            var running = new Dictionary<long, double>();
            for (var v = 0; v <= m; v++)
            {
                var merged = new Dictionary<long, double>(running.Count + tables[v].Count);
                var shift = ((a * v) - (b * row)) * ((a * v) - (b * row));
                foreach (var (value, frequency) in running)
                {
                    merged[value + shift] = frequency;
                }

                foreach (var (value, frequency) in tables[v])
                {
                    merged[value + shift] = merged.GetValueOrDefault(value + shift) + frequency;
                }

                next[v] = running = merged;
            }

            tables = next;
        }

        double hits = 0, all = 0;
        foreach (var (value, frequency) in tables[m])
        {
            all += frequency;
            hits += value >= zeta ? frequency : 0;
        }

        return hits / all;
    }

    private static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);
}
