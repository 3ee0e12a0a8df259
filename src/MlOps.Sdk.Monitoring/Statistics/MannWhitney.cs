namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>How <see cref="MannWhitney.Test"/> computes its p-value.</summary>
public enum MannWhitneyMethod
{
    /// <summary>scipy's choice: exact when either sample has at most 8 values and no value is tied, else asymptotic.</summary>
    Auto,

    /// <summary>The exact distribution of U (no ties allowed for it to be exact).</summary>
    Exact,

    /// <summary>The normal approximation with the tie correction and the continuity correction.</summary>
    Asymptotic,
}

/// <summary>The Mann-Whitney U rank test of two samples, as <c>scipy.stats.mannwhitneyu</c> (scipy 1.10) computes it.</summary>
public static class MannWhitney
{
    /// <summary>
    /// U of the first sample (its rank sum, ties ranked by their average, less n₁(n₁ + 1)/2) and the p-value under
    /// <paramref name="alternative"/>. Evidently's drift test is <see cref="TwoSampleAlternative.Less"/> on (reference,
    /// current).
    /// </summary>
    /// <exception cref="MlOpsValidationException">A sample is empty or holds a NaN.</exception>
    public static TestResult Test(ReadOnlySpan<double> x, ReadOnlySpan<double> y, TwoSampleAlternative alternative = TwoSampleAlternative.TwoSided, MannWhitneyMethod method = MannWhitneyMethod.Auto)
    {
        if (x.IsEmpty || y.IsEmpty)
        {
            throw new MlOpsValidationException("Both samples need at least one value.");
        }

        var (n1, n2) = (x.Length, y.Length);
        var a = SortedCopy(x);
        var b = SortedCopy(y);
        double rankSum = 0, tieTerm = 0, position = 0;
        for (int i = 0, j = 0; i < n1 || j < n2;)
        {
            // One tie group: every copy of the next value in either sample.
            var value = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
            var (fromA, fromB) = (i, j);
            while (i < n1 && a[i] == value)
            {
                i++;
            }

            while (j < n2 && b[j] == value)
            {
                j++;
            }

            double inA = i - fromA, t = inA + (j - fromB);
            rankSum += inA * (position + ((t + 1) / 2));
            tieTerm += (t * t * t) - t;
            position += t;
        }

        var u1 = rankSum - (n1 * (n1 + 1.0) / 2);
        var u2 = ((double)n1 * n2) - u1;
        var (u, factor) = alternative switch
        {
            TwoSampleAlternative.Greater => (u1, 1.0),
            TwoSampleAlternative.Less => (u2, 1.0),
            _ => (Math.Max(u1, u2), 2.0),
        };
        if (method == MannWhitneyMethod.Auto)
        {
            method = (n1 > 8 && n2 > 8) || tieTerm > 0 ? MannWhitneyMethod.Asymptotic : MannWhitneyMethod.Exact;
        }

        var p = method == MannWhitneyMethod.Exact ? ExactSurvival((long)u, n1, n2) : NormalSurvival(u, n1, n2, tieTerm);
        return new TestResult(u1, Math.Clamp(p * factor, 0, 1));
    }

    /// <summary>A sorted copy; a NaN (which sorts first) is refused.</summary>
    internal static double[] SortedCopy(ReadOnlySpan<double> sample)
    {
        var copy = sample.ToArray();
        Array.Sort(copy);
        return double.IsNaN(copy[0]) ? throw new MlOpsValidationException("The samples hold a NaN; drop missing values first.") : copy;
    }

    /// <summary>P(U ≥ u) from the normal approximation: (u − n₁n₂/2 − ½) / σ, σ with the tie correction.</summary>
    private static double NormalSurvival(double u, int n1, int n2, double tieTerm)
    {
        double n = n1 + n2;
        var sigma = Math.Sqrt(n1 * (double)n2 / 12 * (n + 1 - (tieTerm / (n * (n - 1)))));
        var z = (u - (n1 * (double)n2 / 2) - 0.5) / sigma;
        return SpecialFunctions.NormalSurvival(double.IsNaN(z) ? double.NegativeInfinity : z);
    }

    /// <summary>
    /// P(U ≥ u) under the null hypothesis without ties: U is distributed as the coefficients of the Gaussian binomial
    /// [n₁ + n₂ choose n₁]_q. The smaller tail is summed, from coefficients up to its degree only (both tails are equal
    /// by symmetry), built by multiplying (1 − q^(n+i)) and dividing by (1 − q^i) for i up to the smaller size.
    /// </summary>
    private static double ExactSurvival(long u, int n1, int n2)
    {
        var total = (long)n1 * n2;
        if (u <= 0)
        {
            return 1;
        }

        if (u > total)
        {
            return 0;
        }

        // P(U ≥ u) = P(U ≤ total − u); when that bound passes the middle, use 1 − P(U ≤ u − 1).
        var lowerTail = total - u <= u - 1;
        var degree = lowerTail ? total - u : u - 1;
        var (m, n) = (Math.Min(n1, n2), Math.Max(n1, n2));
        var coefficients = new double[degree + 1];
        coefficients[0] = 1;
        for (var i = 1; i <= m; i++)
        {
            for (var k = degree; k >= n + i; k--)
            {
                coefficients[k] -= coefficients[k - n - i];
            }

            for (var k = i; k <= degree; k++)
            {
                coefficients[k] += coefficients[k - i];
            }
        }

        double sum = 0;
        foreach (var c in coefficients)
        {
            sum += c;
        }

        var count = Math.Exp(SpecialFunctions.LogGamma(n1 + n2 + 1) - SpecialFunctions.LogGamma(n1 + 1) - SpecialFunctions.LogGamma(n2 + 1));
        var cdf = Math.Min(1, sum / count);
        return lowerTail ? cdf : 1 - cdf;
    }
}
