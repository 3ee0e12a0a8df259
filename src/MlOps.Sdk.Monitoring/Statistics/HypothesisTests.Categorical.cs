namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>The G-test and Fisher's exact test.</summary>
public static partial class HypothesisTests
{
    /// <summary>
    /// The G-test (log-likelihood ratio) of goodness of fit, as <c>scipy.stats.power_divergence(observed, expected,
    /// lambda_="log-likelihood")</c>: G = 2 Σ o ln(o / e), k − 1 degrees of freedom. A category observed but expected
    /// zero times makes G infinite (p-value 0); one observed zero times adds nothing.
    /// </summary>
    public static TestResult GTest(ReadOnlySpan<double> observed, ReadOnlySpan<double> expected)
    {
        if (observed.Length != expected.Length || observed.IsEmpty)
        {
            throw new MlOpsValidationException("Observed and expected counts must cover the same, non-empty set of categories.");
        }

        double statistic = 0;
        for (var i = 0; i < observed.Length; i++)
        {
            statistic += observed[i] == 0 ? 0 : observed[i] * Math.Log(observed[i] / expected[i]);
        }

        statistic *= 2;
        return new TestResult(statistic, SpecialFunctions.ChiSquareSurvival(statistic, observed.Length - 1));
    }

    /// <summary>
    /// Evidently's G-test drift test of a categorical column: the current counts against the reference counts scaled to
    /// the current sample's size, over every category either sample has (<see cref="GTest"/>).
    /// </summary>
    public static TestResult GTestDrift<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> current)
        where T : notnull
    {
        var shares = BinnedShares.Categories(reference, current, fillEmpty: false);
        var size = current.Length;
        return GTest([.. shares.Current.Select(s => s * size)], [.. shares.Reference.Select(s => s * size)]);
    }

    /// <summary>
    /// Fisher's exact test of a 2×2 table [[a, b], [c, d]], two-sided, as <c>scipy.stats.fisher_exact</c>: the odds
    /// ratio ad / bc (∞ when bc = 0) and the probability, under the hypergeometric law of the margins, of every table
    /// no more likely than this one (within a relative 1e-7, as R's <c>fisher.test</c>). A table with an empty row or
    /// column gives NaN and 1.
    /// </summary>
    public static TestResult FisherExact(long a, long b, long c, long d)
    {
        if (a < 0 || b < 0 || c < 0 || d < 0)
        {
            throw new MlOpsValidationException("Counts cannot be negative.");
        }

        if (a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0)
        {
            return new TestResult(double.NaN, 1);
        }

        var odds = b > 0 && c > 0 ? a * (double)d / (b * (double)c) : double.PositiveInfinity;
        var (row1, row2, column1) = (a + b, c + d, a + c);
        var (low, high) = (Math.Max(0, column1 - row2), Math.Min(row1, column1));
        var logDenominator = LogChoose(row1 + row2, column1);
        double Probability(long k) => Math.Exp(LogChoose(row1, k) + LogChoose(row2, column1 - k) - logDenominator);

        // From the mode outwards by the ratio of neighbouring probabilities, while a term can still matter: past the point
        // where one falls below 1e-20 of the observed table's probability over the support's size, the rest of that tail
        // adds less than 1e-20 of the p-value.
        var mode = Math.Clamp((long)((column1 + 1) * (double)(row1 + 1) / (row1 + row2 + 2)), low, high);
        var atMode = Probability(mode);
        var observed = Probability(a) * (1 + 1e-7);
        var negligible = Math.Min(atMode, observed) * 1e-20 / (high - low + 1);
        var p = atMode <= observed ? atMode : 0;
        var term = atMode;
        for (var k = mode; k < high && term > negligible; k++)
        {
            term *= (row1 - k) * (double)(column1 - k) / ((k + 1) * (double)(row2 - column1 + k + 1));
            p += term <= observed ? term : 0;
        }

        term = atMode;
        for (var k = mode; k > low && term > negligible; k--)
        {
            term *= k * (double)(row2 - column1 + k) / ((row1 - k + 1) * (double)(column1 - k + 1));
            p += term <= observed ? term : 0;
        }

        return new TestResult(odds, Math.Min(1, p));
    }

    /// <summary>
    /// Fisher's exact test as Evidently's drift test of a binary column: the 2×2 table of each sample's counts of its two
    /// categories (one category only: the other counted zero). Evidently also requires equal sample sizes; this does not.
    /// </summary>
    /// <exception cref="MlOpsValidationException">The samples have more than two categories between them.</exception>
    public static TestResult FisherExactDrift<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> current)
        where T : IEquatable<T>
    {
        if (reference.IsEmpty || current.IsEmpty)
        {
            throw new MlOpsValidationException("Both samples need at least one value.");
        }

        // One branch-free pass per sample counts the first category and the other one; any third shows as a shortfall.
        var first = reference[0];
        var other = reference.IndexOfAnyExcept(first) is var r and >= 0 ? reference[r] : current.IndexOfAnyExcept(first) is var c and >= 0 ? current[c] : first;
        var (referenceFirst, referenceOther) = Count(reference, first, other);
        var (currentFirst, currentOther) = Count(current, first, other);
        var binary = EqualityComparer<T>.Default.Equals(first, other)
            ? referenceFirst == reference.Length && currentFirst == current.Length
            : referenceFirst + referenceOther == reference.Length && currentFirst + currentOther == current.Length;
        if (!binary)
        {
            throw new MlOpsValidationException("Fisher's exact test takes a binary column: the samples have more than two categories.");
        }

        return FisherExact(currentFirst, current.Length - currentFirst, referenceFirst, reference.Length - referenceFirst);

        static (long First, long Other) Count(ReadOnlySpan<T> sample, T first, T other)
        {
            long ones = 0, others = 0;
            foreach (var value in sample)
            {
                ones += value.Equals(first) ? 1 : 0;
                others += value.Equals(other) ? 1 : 0;
            }

            return (ones, others);
        }
    }

    private static double LogChoose(long n, long k) =>
        SpecialFunctions.LogGamma(n + 1) - SpecialFunctions.LogGamma(k + 1) - SpecialFunctions.LogGamma(n - k + 1);
}
