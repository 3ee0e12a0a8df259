namespace MlOps.Sdk.Monitoring;

/// <summary>How <c>AddMonitoring</c> watches a model host.</summary>
public sealed class ModelMonitorOptions
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
    public TimeSpan RetrainStopTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long stopping the monitor waits for alert and <see cref="ModelMonitor{TIn, TOut}.WindowClosed"/> subscribers
    /// still running. One still running then is logged and counted and left to finish on its own.
    /// </summary>
    /// <value>The default is 10 seconds.</value>
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(10);

    internal List<AlertRule> Rules { get; } = [];

    /// <summary>Adds an alert rule (<see cref="AlertRule.Drift"/>, <see cref="AlertRule.Quality"/>, ...).</summary>
    public ModelMonitorOptions AlertWhen(AlertRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        Rules.Add(rule);
        return this;
    }
}
