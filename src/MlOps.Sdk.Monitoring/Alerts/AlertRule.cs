using MlOps.Sdk.Monitoring.Quality;

namespace MlOps.Sdk.Monitoring;

/// <summary>A condition on a window's verdicts that should wake someone up.</summary>
/// <param name="Name">The rule's name, carried by its alerts.</param>
public abstract record AlertRule(string Name)
{
    /// <summary>Drift on at least <paramref name="features"/> features, or on the dataset when <paramref name="features"/> is 0.</summary>
    public static AlertRule Drift(int features = 0, string? name = null) =>
        new DriftRule(name ?? (features == 0 ? "dataset-drift" : $"drift-on-{features}-features"), features);

    /// <summary>A quality metric (<c>accuracy</c>, <c>roc_auc</c>, <c>rmse</c>...) under <paramref name="threshold"/>, or over it with <paramref name="above"/>.</summary>
    public static AlertRule Quality(string metric, double threshold, bool above = false, string? name = null) =>
        new QualityRule(name ?? $"{metric}-{(above ? "above" : "below")}-{threshold}", metric, threshold, above);

    /// <summary>
    /// A data-quality check over a drift window: the share of <paramref name="feature"/>'s values (or any feature's, when
    /// null) that are missing, non-finite, outside the reference's range or of categories the reference never had is
    /// above <paramref name="share"/>. Fires and resolves with the same hysteresis and cooldown as every rule.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="share"/> is not in [0, 1).</exception>
    public static AlertRule DataQuality(DataQualityCheck check, double share, string? feature = null, string? name = null)
    {
        if (!(share >= 0 && share < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "A data-quality threshold is a share in [0, 1).");
        }

        return new DataQualityRule(name ?? $"{check}-of-{feature ?? "any-feature"}-above-{share}", check, share, feature);
    }

    /// <summary>The concept-drift detector on the error stream fired during the window.</summary>
    public static AlertRule DetectorAlarm(string name = "detector-alarm") => new DetectorRule(name);

    /// <summary>Whether a drift window breaches the rule; null when the rule does not look at drift.</summary>
    internal virtual bool? Breached(DriftReport report) => null;

    /// <summary>Whether a quality window breaches the rule; null when the rule does not look at quality.</summary>
    internal virtual bool? Breached(QualityReport report) => null;

    private sealed record DriftRule(string RuleName, int Features) : AlertRule(RuleName)
    {
        internal override bool? Breached(DriftReport report) => Features == 0 ? report.DatasetDrifted : report.DriftedFeatures >= Features;
    }

    private sealed record QualityRule(string RuleName, string Metric, double Threshold, bool Above) : AlertRule(RuleName)
    {
        internal override bool? Breached(QualityReport report) =>
            report.Metrics.TryGetValue(Metric, out var value) ? (Above ? value > Threshold : value < Threshold) : null;
    }

    private sealed record DataQualityRule(string RuleName, DataQualityCheck Check, double Share, string? Feature) : AlertRule(RuleName)
    {
        internal override bool? Breached(DriftReport report) =>
            report.Features.Where(f => Feature is null || f.Feature == Feature).Any(f => Measure(f, report.Rows) > Share);

        /// <summary>Missing and non-finite values as shares of the window's rows; the others of the feature's usable values.</summary>
        private double Measure(FeatureDrift f, int rows) => Check switch
        {
            DataQualityCheck.Missing => Ratio(f.Missing, rows),
            DataQualityCheck.NonFinite => Ratio(f.NonFinite, rows),
            DataQualityCheck.OutOfRange => Ratio(f.OutOfRange, f.Values),
            _ => Ratio(f.UnseenValues, f.Values),
        };

        private static double Ratio(int count, int total) => total == 0 ? 0 : (double)count / total;
    }

    private sealed record DetectorRule(string RuleName) : AlertRule(RuleName)
    {
        internal override bool? Breached(QualityReport report) => report.DetectorAlarms > 0;
    }
}
