namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>The two-sample t-test of means, as <c>scipy.stats.ttest_ind</c> computes it (two-sided).</summary>
public static class TTest
{
    /// <summary>
    /// t = (mean₁ − mean₂) / SE and its two-sided p-value: Student's test with the pooled variance and n₁ + n₂ − 2 degrees
    /// of freedom when <paramref name="equalVariances"/> (scipy's default, and Evidently's <c>t_test</c>), else Welch's
    /// with the Welch–Satterthwaite degrees of freedom. Samples of one constant value each give NaN, as scipy does.
    /// </summary>
    /// <exception cref="MlOpsValidationException">A sample has fewer than two values, or a value is NaN.</exception>
    public static TestResult Independent(ReadOnlySpan<double> x, ReadOnlySpan<double> y, bool equalVariances = true)
    {
        var (mean1, variance1) = Moments(x);
        var (mean2, variance2) = Moments(y);
        double n1 = x.Length, n2 = y.Length;
        double degrees, standardError;
        if (equalVariances)
        {
            degrees = n1 + n2 - 2;
            var pooled = (((n1 - 1) * variance1) + ((n2 - 1) * variance2)) / degrees;
            standardError = Math.Sqrt(pooled * ((1 / n1) + (1 / n2)));
        }
        else
        {
            var (a, b) = (variance1 / n1, variance2 / n2);
            degrees = (a + b) * (a + b) / ((a * a / (n1 - 1)) + (b * b / (n2 - 1)));
            standardError = Math.Sqrt(a + b);
        }

        var t = (mean1 - mean2) / standardError;
        return new TestResult(t, double.IsNaN(t) ? double.NaN : Math.Min(1, 2 * SpecialFunctions.StudentTSurvival(Math.Abs(t), degrees)));
    }

    /// <summary>The mean and the unbiased (n − 1) variance, in two passes.</summary>
    private static (double Mean, double Variance) Moments(ReadOnlySpan<double> sample)
    {
        if (sample.Length < 2)
        {
            throw new MlOpsValidationException("Each sample needs at least two values for a t-test.");
        }

        double mean = 0;
        foreach (var v in sample)
        {
            mean += double.IsNaN(v) ? throw new MlOpsValidationException("The samples hold a NaN; drop missing values first.") : v;
        }

        mean /= sample.Length;
        double squares = 0;
        foreach (var v in sample)
        {
            squares += (v - mean) * (v - mean);
        }

        return (mean, squares / (sample.Length - 1));
    }
}
