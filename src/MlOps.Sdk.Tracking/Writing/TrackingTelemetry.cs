using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MlOps.Sdk.Tracking.Writing;

/// <summary>The instruments of meter <c>MlOps.Sdk.Tracking</c>.</summary>
internal sealed class TrackingTelemetry
{
    public const string MeterName = "MlOps.Sdk.Tracking";

    /// <summary>Spans of the writer's flushes, named as the meter is.</summary>
    public static readonly ActivitySource Source = new(MeterName);

    public TrackingTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        PointsWritten = meter.CreateCounter<long>("mlops.tracking.points.written", "{point}", "Metric points made durable in the tracking store.");
        PointsDropped = meter.CreateCounter<long>("mlops.tracking.points.dropped", "{point}", "Metric points dropped because the queue was full.");
        FlushDuration = meter.CreateHistogram<double>("mlops.tracking.flush.duration", "s", "Time to write one batch to the tracking store.");
        Meter = meter;
    }

    public Meter Meter { get; }

    public Counter<long> PointsWritten { get; }

    public Counter<long> PointsDropped { get; }

    public Histogram<double> FlushDuration { get; }
}
