using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MlOps.Sdk.Monitoring;

/// <summary>Meter <c>MlOps.Sdk.Monitoring</c>: from the host's <see cref="IMeterFactory"/> when there is one.</summary>
internal sealed class MonitoringTelemetry
{
    public const string MeterName = "MlOps.Sdk.Monitoring";

    /// <summary>Spans of drift window evaluations, named as the meter is.</summary>
    public static readonly ActivitySource Source = new(MeterName);

    /// <summary>The instruments of monitors built without a meter factory.</summary>
    public static readonly MonitoringTelemetry Shared = new(null);

    public MonitoringTelemetry(IMeterFactory? meters)
    {
        Meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        RowsFailed = Meter.CreateCounter<long>("mlops.monitoring.rows_failed", "{row}", "Rows whose features could not be read (a property getter threw); they are left out of the window, the prediction is served.");
        CallbackErrors = Meter.CreateCounter<long>("mlops.monitoring.callback_errors", "{call}", "Event subscribers, alert handlers and retrain hooks that threw or hung, by callback and error type; monitoring carried on.");
    }

    public Meter Meter { get; }

    public Counter<long> RowsFailed { get; }

    public Counter<long> CallbackErrors { get; }

    public static MonitoringTelemetry For(IMeterFactory? meters) => meters is null ? Shared : new MonitoringTelemetry(meters);
}
