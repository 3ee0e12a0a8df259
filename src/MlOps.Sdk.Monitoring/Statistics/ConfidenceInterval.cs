namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>A two-sided confidence interval.</summary>
/// <param name="Lower">The lower bound.</param>
/// <param name="Upper">The upper bound.</param>
/// <param name="Level">The confidence level, such as 0.95.</param>
public readonly record struct ConfidenceInterval(double Lower, double Upper, double Level)
{
    /// <summary>Wilson's score interval for a proportion of <paramref name="successes"/> in <paramref name="trials"/>, as statsmodels' <c>proportion_confint(method="wilson")</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No trials, successes outside [0, trials], or a level outside (0, 1).</exception>
    public static ConfidenceInterval Wilson(long successes, long trials, double level = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        var crit = Critical(level);
        var share = (double)successes / trials;
        var crit2 = crit * crit;
        var denominator = 1 + (crit2 / trials);
        var center = (share + (crit2 / (2.0 * trials))) / denominator;
        var distance = crit * Math.Sqrt((share * (1 - share) / trials) + (crit2 / (4.0 * trials * trials))) / denominator;
        return new ConfidenceInterval(center - distance, center + distance, level);
    }

    /// <summary>The normal (Wald) interval <paramref name="estimate"/> ± z·<paramref name="standardError"/>, clipped to [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static ConfidenceInterval Normal(double estimate, double standardError, double level, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        var half = Critical(level) * standardError;
        return new ConfidenceInterval(Math.Max(min, estimate - half), Math.Min(max, estimate + half), level);
    }

    /// <summary>The two-sided critical value z with P(|Z| &gt; z) = 1 − <paramref name="level"/>.</summary>
    internal static double Critical(double level)
    {
        if (!(level > 0 && level < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "A confidence level is between 0 and 1, such as 0.95.");
        }

        return SpecialFunctions.NormalQuantile(1 - ((1 - level) / 2));
    }

    /// <summary>Whether <paramref name="value"/> lies within the interval.</summary>
    public bool Contains(double value) => value >= Lower && value <= Upper;

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant($"[{Lower:0.####}, {Upper:0.####}] ({Level:0.##%})");
}
