using System.Diagnostics.Metrics;

namespace MlOps.Sdk.Monitoring;

/// <summary>Meter <c>MlOps.Sdk.Monitoring</c>: from the host's <see cref="IMeterFactory"/> when there is one.</summary>
internal static class MonitoringTelemetry
{
    public const string MeterName = "MlOps.Sdk.Monitoring";

    /// <summary>The meter of monitors built without a meter factory.</summary>
    public static readonly Meter SharedMeter = new(MeterName);
}
