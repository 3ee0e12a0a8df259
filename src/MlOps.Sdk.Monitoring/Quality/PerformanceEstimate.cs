namespace MlOps.Sdk.Monitoring.Quality;

/// <summary>Options of a <see cref="PerformanceEstimator"/>.</summary>
public sealed record PerformanceEstimatorOptions
{
    /// <summary>The score at or above which the model predicts the positive class (0.5).</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>Half the band's width in sampling errors (3, as NannyML draws its bands).</summary>
    public double BandWidth { get; init; } = 3;

    /// <summary>Draws of a window's labels that measure each metric's sampling error (500; the error itself is then within about 3%).</summary>
    public int Simulations { get; init; } = 500;

    /// <summary>The seed of those draws: the same window always gets the same band.</summary>
    public int Seed { get; init; }

    internal void Validate()
    {
        if (!double.IsFinite(Threshold) || !(BandWidth > 0) || double.IsPositiveInfinity(BandWidth) || Simulations < 2)
        {
            throw new MlOpsValidationException($"A performance estimator needs a finite threshold (got {Threshold}), a positive band width (got {BandWidth}) and at least two simulations (got {Simulations}).");
        }
    }
}

/// <summary>One estimated metric: its value, its sampling error and the band around it.</summary>
/// <param name="Value">The estimate (NaN where undefined, as ROC AUC when every calibrated probability is 0 or 1 alike).</param>
/// <param name="SamplingError">The standard deviation of the realised metric over draws of the labels.</param>
/// <param name="BandWidth">Half the band's width in sampling errors.</param>
public readonly record struct EstimatedMetric(double Value, double SamplingError, double BandWidth)
{
    /// <summary>The band's lower end, Value − BandWidth · SamplingError.</summary>
    public double Lower => Value - (BandWidth * SamplingError);

    /// <summary>The band's upper end, Value + BandWidth · SamplingError.</summary>
    public double Upper => Value + (BandWidth * SamplingError);

    /// <summary>Whether a realised value (once the labels have arrived) falls within the band.</summary>
    public bool Contains(double realised) => realised >= Lower && realised <= Upper;
}

/// <summary>A window's estimated quality, before its labels arrive.</summary>
/// <param name="Rows">The window's scores.</param>
/// <param name="Accuracy">Estimated accuracy.</param>
/// <param name="Precision">Estimated precision (0 when nothing is predicted positive).</param>
/// <param name="Recall">Estimated recall.</param>
/// <param name="F1">Estimated F1.</param>
/// <param name="RocAuc">Estimated ROC AUC.</param>
public sealed record PerformanceEstimate(int Rows, EstimatedMetric Accuracy, EstimatedMetric Precision, EstimatedMetric Recall, EstimatedMetric F1, EstimatedMetric RocAuc)
{
    /// <summary>
    /// The estimate as a quality window, each metric named as the realised one with <c>estimated_</c> before it
    /// (<c>estimated_accuracy</c>, <c>estimated_roc_auc</c>, ...), so that <see cref="AlertRule.Quality"/> rules and
    /// <see cref="AlertEngine"/> alert on it as on realised quality.
    /// </summary>
    public QualityReport ToQualityReport() => new(Rows, new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["estimated_accuracy"] = Accuracy.Value,
        ["estimated_precision"] = Precision.Value,
        ["estimated_recall"] = Recall.Value,
        ["estimated_f1"] = F1.Value,
        ["estimated_roc_auc"] = RocAuc.Value,
    }, 0);

    /// <summary>
    /// Each metric's estimate against the realised value of the same window once its labels have arrived (a
    /// <see cref="ClassificationQualityMonitor"/> window's metrics): the realised value and whether the band held it.
    /// Metrics the realised window lacks (ROC AUC of one class) are left out.
    /// </summary>
    public IReadOnlyDictionary<string, (EstimatedMetric Estimate, double Realised, bool WithinBand)> Compare(QualityReport realised)
    {
        ArgumentNullException.ThrowIfNull(realised);
        var comparison = new Dictionary<string, (EstimatedMetric, double, bool)>(StringComparer.Ordinal);
        foreach (var (name, estimate) in new[] { ("accuracy", Accuracy), ("precision", Precision), ("recall", Recall), ("f1", F1), ("roc_auc", RocAuc) })
        {
            if (realised.Metrics.TryGetValue(name, out var value))
            {
                comparison[name] = (estimate, value, estimate.Contains(value));
            }
        }

        return comparison;
    }
}
