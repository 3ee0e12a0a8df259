using MlOps.Sdk.Monitoring.Quality;

namespace MlOps.Sdk.Monitoring;

/// <summary>A rule that started (or stopped) breaching.</summary>
/// <param name="Rule">The rule's name.</param>
/// <param name="Firing">True when the alert fires, false when it resolves.</param>
/// <param name="At">When.</param>
/// <param name="Drift">The drift window that decided it, if a drift rule did.</param>
/// <param name="Quality">The quality window that decided it, if a quality rule did.</param>
public sealed record Alert(string Rule, bool Firing, DateTimeOffset At, DriftReport? Drift, QualityReport? Quality);

/// <summary>How rules turn breaching windows into alerts.</summary>
public sealed class AlertOptions
{
    /// <summary>Consecutive breaching windows before an alert fires (hysteresis against one noisy window).</summary>
    /// <value>The default is 1.</value>
    public int FireAfter { get; set; } = 1;

    /// <summary>Consecutive calm windows before a firing alert resolves.</summary>
    /// <value>The default is 2.</value>
    public int ResolveAfter { get; set; } = 2;

    /// <summary>The least time between two firings of the same rule.</summary>
    /// <value>The default is 10 minutes.</value>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(10);
}
