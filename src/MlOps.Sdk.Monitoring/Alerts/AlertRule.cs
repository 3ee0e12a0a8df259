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

    private sealed record DetectorRule(string RuleName) : AlertRule(RuleName)
    {
        internal override bool? Breached(QualityReport report) => report.DetectorAlarms > 0;
    }
}
