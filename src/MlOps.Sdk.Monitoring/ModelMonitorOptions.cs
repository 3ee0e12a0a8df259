using System.ComponentModel.DataAnnotations;
using MlOps.Sdk.Monitoring.Quality;

namespace MlOps.Sdk.Monitoring;

/// <summary>How <c>AddMonitoring</c> watches a model host.</summary>
public sealed class ModelMonitorOptions : IValidatableObject
{
    /// <summary>Windows, sampling and thresholds of the drift monitor.</summary>
    public DriftOptions Drift { get; } = new();

    /// <summary>Hysteresis and cooldown of the alerts.</summary>
    public AlertOptions Alerts { get; } = new();

    /// <summary>
    /// How often the open window is saved to the <see cref="State.StateStore"/> (and it is saved when the monitor stops),
    /// so that a restart continues it. Null saves only on stop.
    /// </summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan? CheckpointInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long stopping the monitor waits for a retrain hook that is still running after it was asked to cancel. A hook
    /// still running then is logged and left to finish on its own; the monitor goes on to the next version.
    /// </summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetrainStopTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long stopping the monitor waits for alert and <see cref="ModelMonitor{TIn, TOut}.WindowClosed"/> subscribers
    /// still running. One still running then is logged and counted and left to finish on its own.
    /// </summary>
    /// <value>The default is 10 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Closed windows whose verdicts <see cref="ModelMonitor{TIn, TOut}.History"/> keeps (saved to the
    /// <see cref="State.StateStore"/> with the open window), the oldest dropped first.
    /// </summary>
    /// <value>The default is 500.</value>
    [Range(1, 100_000)]
    public int HistorySize { get; set; } = 500;

    internal List<AlertRule> Rules { get; } = [];

    internal string? PerformanceScore { get; private set; }

    internal PerformanceEstimatorOptions? PerformanceOptions { get; private set; }

    /// <summary>
    /// Estimates a binary classifier's performance before its labels arrive (confidence-based estimation): the output
    /// property <paramref name="scoreProperty"/> is the score, calibrated on the performance reference the serving
    /// version's training run logged (<see cref="ReferenceProfiles.LogPerformanceReferenceAsync"/>; a version whose run
    /// logged none is not estimated). Every <see cref="DriftOptions.WindowSize"/> predictions add an estimate to the
    /// <see cref="ModelMonitor{TIn, TOut}.History"/> and to the alerts, as <c>estimated_accuracy</c>,
    /// <c>estimated_precision</c>, <c>estimated_recall</c>, <c>estimated_f1</c> and <c>estimated_roc_auc</c>.
    /// </summary>
    /// <param name="scoreProperty">The output's numeric property holding the score.</param>
    /// <param name="options">The threshold, band and simulations of the estimator.</param>
    public ModelMonitorOptions EstimatePerformance(string scoreProperty, PerformanceEstimatorOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scoreProperty);
        (PerformanceScore, PerformanceOptions) = (scoreProperty, options);
        return this;
    }

    /// <summary>Adds an alert rule (<see cref="AlertRule.Drift"/>, <see cref="AlertRule.Quality"/>, ...).</summary>
    public ModelMonitorOptions AlertWhen(AlertRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        Rules.Add(rule);
        return this;
    }

    /// <summary>The drift options, the alert hysteresis and the checkpoint interval must make sense together.</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        var problems = new List<ValidationResult>();
        try
        {
            Drift.Validate();
        }
        catch (ArgumentException e)
        {
            problems.Add(new ValidationResult($"Drift: {e.Message}", [nameof(Drift)]));
        }

        if (Alerts.FireAfter < 1 || Alerts.ResolveAfter < 1 || Alerts.Cooldown < TimeSpan.Zero)
        {
            problems.Add(new ValidationResult("Alerts: FireAfter and ResolveAfter are at least 1, and Cooldown is not negative.", [nameof(Alerts)]));
        }

        if (CheckpointInterval is { } interval && interval <= TimeSpan.Zero)
        {
            problems.Add(new ValidationResult("CheckpointInterval is positive, or null to save only on stop.", [nameof(CheckpointInterval)]));
        }

        return problems;
    }
}
