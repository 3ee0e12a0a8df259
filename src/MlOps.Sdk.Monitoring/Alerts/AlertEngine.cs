using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Sdk.Monitoring.Quality;

namespace MlOps.Sdk.Monitoring;

/// <summary>
/// Turns windows into alerts: each rule counts consecutive breaching and calm windows, fires after
/// <see cref="AlertOptions.FireAfter"/> breaches (unless it fired less than <see cref="AlertOptions.Cooldown"/> ago)
/// and resolves after <see cref="AlertOptions.ResolveAfter"/> calm windows. Alerts are events and are counted on meter
/// <c>MlOps.Sdk.Monitoring</c> (<c>mlops.monitoring.alerts</c>, by rule and state) and logged. Thread-safe. A
/// <see cref="Changed"/> handler that throws is logged and counted (<c>mlops.monitoring.callback_errors</c>) and changes
/// no rule's state.
/// </summary>
public sealed partial class AlertEngine
{
    private readonly AlertOptions _options;
    private readonly TimeProvider _time;
    private readonly Counter<long> _alerts;
    private readonly Dictionary<AlertRule, State> _states;
    private readonly object _sync = new();
    private readonly ILogger _logger;
    private readonly CallbackGuard _callbacks;

    /// <summary>Creates an engine for <paramref name="rules"/>.</summary>
    public AlertEngine(IEnumerable<AlertRule> rules, AlertOptions? options = null, TimeProvider? time = null, IMeterFactory? meters = null, ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        ArgumentNullException.ThrowIfNull(rules);
        _options = options ?? new AlertOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.FireAfter, 1, nameof(AlertOptions.FireAfter));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ResolveAfter, 1, nameof(AlertOptions.ResolveAfter));
        _time = time ?? TimeProvider.System;
        _states = rules.ToDictionary(r => r, _ => new State());
        var telemetry = MonitoringTelemetry.For(meters);
        _callbacks = new CallbackGuard(telemetry.CallbackErrors, _logger, Timeout.InfiniteTimeSpan);
        _alerts = telemetry.Meter.CreateCounter<long>("mlops.monitoring.alerts", "{alert}", "Alerts fired and resolved, by rule and state.");
    }

    /// <summary>Raised when a rule fires or resolves.</summary>
    public event EventHandler<Alert>? Changed;

    /// <summary>The rules firing now.</summary>
    public IReadOnlyList<string> Firing
    {
        get
        {
            lock (_sync)
            {
                return _states.Where(s => s.Value.Firing).Select(s => s.Key.Name).ToList();
            }
        }
    }

    /// <summary>Applies the rules that look at drift to a drift window.</summary>
    public void Observe(DriftReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Apply(rule => rule.Breached(report), report, null);
    }

    /// <summary>Applies the rules that look at quality to a quality window.</summary>
    public void Observe(QualityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Apply(rule => rule.Breached(report), null, report);
    }

    private void Apply(Func<AlertRule, bool?> breached, DriftReport? drift, QualityReport? quality)
    {
        var changes = new List<Alert>();
        lock (_sync)
        {
            var now = _time.GetUtcNow();
            foreach (var (rule, state) in _states)
            {
                if (breached(rule) is not { } breach)
                {
                    continue;
                }

                (state.Breaches, state.Calm) = breach ? (state.Breaches + 1, 0) : (0, state.Calm + 1);
                if (!state.Firing && state.Breaches >= _options.FireAfter && (state.LastFired is null || now - state.LastFired >= _options.Cooldown))
                {
                    (state.Firing, state.LastFired) = (true, now);
                    changes.Add(new Alert(rule.Name, true, now, drift, quality));
                }
                else if (state.Firing && state.Calm >= _options.ResolveAfter)
                {
                    state.Firing = false;
                    changes.Add(new Alert(rule.Name, false, now, drift, quality));
                }
            }
        }

        foreach (var alert in changes)
        {
            _alerts.Add(1, new KeyValuePair<string, object?>("mlops.rule", alert.Rule), new KeyValuePair<string, object?>("mlops.alert.state", alert.Firing ? "firing" : "resolved"));
            if (alert.Firing)
            {
                Log.Fired(_logger, alert.Rule);
            }
            else
            {
                Log.Resolved(_logger, alert.Rule);
            }

            // Each handler is isolated: one that throws neither stops the others nor the window that raised the alert.
            _callbacks.Raise(nameof(Changed), Changed, this, alert);
        }
    }

    private sealed class State
    {
        public int Breaches;
        public int Calm;
        public bool Firing;
        public DateTimeOffset? LastFired;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Alert '{Rule}' fired.")]
        public static partial void Fired(ILogger logger, string rule);

        [LoggerMessage(EventId = 5202, Level = LogLevel.Information, Message = "Alert '{Rule}' resolved.")]
        public static partial void Resolved(ILogger logger, string rule);
    }
}
