namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>Hypothesis tests between a reference and a current sample, each as the named reference defines it.</summary>
public static partial class HypothesisTests
{
    /// <summary>
    /// Chi-square test of homogeneity on a contingency table (rows: samples, columns: categories), as
    /// <c>scipy.stats.chi2_contingency(table, correction)</c>: expected counts from the margins, Yates' continuity
    /// correction when there is one degree of freedom (a 2×2 table) and <paramref name="yates"/> is set.
    /// </summary>
    /// <exception cref="MlOpsValidationException">A row or column of the table is all zeros (an expected count would be zero).</exception>
    public static TestResult ChiSquareContingency(long[,] table, bool yates = true)
    {
        ArgumentNullException.ThrowIfNull(table);
        var (rows, columns) = (table.GetLength(0), table.GetLength(1));
        var rowSums = new double[rows];
        var columnSums = new double[columns];
        double total = 0;
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                if (table[r, c] < 0)
                {
                    throw new MlOpsValidationException("Counts cannot be negative.");
                }

                rowSums[r] += table[r, c];
                columnSums[c] += table[r, c];
                total += table[r, c];
            }
        }

        if (rowSums.Contains(0) || columnSums.Contains(0))
        {
            throw new MlOpsValidationException("Every row and column of the table needs a count above zero; drop empty categories first.");
        }

        var degrees = (rows * columns) - rows - columns + 1;
        if (degrees == 0)
        {
            return new TestResult(0, 1);
        }

        double statistic = 0;
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var expected = rowSums[r] * columnSums[c] / total;
                double observed = table[r, c];
                if (yates && degrees == 1)
                {
                    observed += Math.Sign(expected - observed) * Math.Min(0.5, Math.Abs(expected - observed));
                }

                statistic += (observed - expected) * (observed - expected) / expected;
            }
        }

        return new TestResult(statistic, SpecialFunctions.ChiSquareSurvival(statistic, degrees));
    }

    /// <summary>
    /// Pearson's chi-square goodness of fit, as <c>scipy.stats.chisquare(observed, expected)</c> with k − 1 degrees of
    /// freedom. A category expected zero times but observed is infinitely surprising: statistic ∞, p-value 0.
    /// </summary>
    public static TestResult ChiSquareGoodnessOfFit(ReadOnlySpan<double> observed, ReadOnlySpan<double> expected)
    {
        if (observed.Length != expected.Length || observed.IsEmpty)
        {
            throw new MlOpsValidationException("Observed and expected counts must cover the same, non-empty set of categories.");
        }

        double statistic = 0;
        for (var i = 0; i < observed.Length; i++)
        {
            var difference = observed[i] - expected[i];
            statistic += difference == 0 ? 0 : difference * difference / expected[i];
        }

        return new TestResult(statistic, SpecialFunctions.ChiSquareSurvival(statistic, observed.Length - 1));
    }

    /// <summary>
    /// Evidently's chi-square drift test of a categorical column: the current counts against the reference counts
    /// scaled to the current sample's size (<see cref="ChiSquareGoodnessOfFit"/>).
    /// </summary>
    public static TestResult ChiSquareDrift<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> current)
        where T : notnull
    {
        var shares = BinnedShares.Categories(reference, current, fillEmpty: false);
        var size = current.Length;
        var observed = shares.Current.Select(s => s * size).ToArray();
        var expected = shares.Reference.Select(s => s * size).ToArray();
        return ChiSquareGoodnessOfFit(observed, expected);
    }

    /// <summary>
    /// The two-proportion Z-test with a pooled proportion: z = (p₁ − p₂) / √(P(1 − P)(1/n₁ + 1/n₂)), two-sided
    /// p-value 2·P(Z &gt; |z|), computed from the normal tail so that it stays exact far out.
    /// </summary>
    /// <returns>z and its p-value; when both samples are all one value (P = 0 or 1), z = 0 and p = 1.</returns>
    public static TestResult TwoProportionZ(long hits1, long n1, long hits2, long n2)
    {
        if (n1 < 1 || n2 < 1)
        {
            throw new MlOpsValidationException($"Both samples need at least one value; got {n1} and {n2}.");
        }
        if (hits1 < 0 || hits1 > n1 || hits2 < 0 || hits2 > n2)
        {
            throw new MlOpsValidationException("Hits must be between 0 and the sample size.");
        }

        var p1 = (double)hits1 / n1;
        var p2 = (double)hits2 / n2;
        var pooled = (double)(hits1 + hits2) / (n1 + n2);
        var variance = pooled * (1 - pooled) * ((1.0 / n1) + (1.0 / n2));
        if (variance == 0)
        {
            return new TestResult(0, 1);
        }

        var z = (p1 - p2) / Math.Sqrt(variance);
        return new TestResult(z, 2 * SpecialFunctions.NormalSurvival(Math.Abs(z)));
    }

    /// <summary>
    /// McNemar's exact test of two paired classifiers (statsmodels' <c>mcnemar(table, exact=True)</c>): the statistic is
    /// the smaller of the two discordant counts, the p-value twice its binomial(b + c, ½) tail, at most 1.
    /// </summary>
    /// <param name="onlyFirstRight">Rows the first model got right and the second wrong.</param>
    /// <param name="onlySecondRight">Rows the second model got right and the first wrong.</param>
    public static TestResult McNemarExact(long onlyFirstRight, long onlySecondRight)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(onlyFirstRight);
        ArgumentOutOfRangeException.ThrowIfNegative(onlySecondRight);
        var statistic = Math.Min(onlyFirstRight, onlySecondRight);
        return new TestResult(statistic, Math.Min(1, 2 * SpecialFunctions.BinomialHalfCdf(statistic, onlyFirstRight + onlySecondRight)));
    }
}
