using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MlOps.Sdk.Serving.Hosting;

/// <summary>The instruments of meter <c>MlOps.Sdk.Serving</c>; every measurement carries the host's name as <c>mlops.model</c>.</summary>
internal sealed class ServingTelemetry
{
    public const string MeterName = "MlOps.Sdk.Serving";

    /// <summary>Spans for predictions (<c>mlops.predict</c>) and swaps (<c>mlops.swap</c>).</summary>
    public static readonly ActivitySource Source = new(MeterName);

    public ServingTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        Predictions = meter.CreateCounter<long>("mlops.serving.predictions", "{prediction}", "Predictions served.");
        Errors = meter.CreateCounter<long>("mlops.serving.errors", "{prediction}", "Predictions that failed, by error type.");
        Latency = meter.CreateHistogram<double>("mlops.serving.latency", "s", "Time to serve one prediction.");
        Swaps = meter.CreateCounter<long>("mlops.serving.swaps", "{swap}", "Versions that started serving.");
        LoadFailures = meter.CreateCounter<long>("mlops.serving.load_failures", "{version}", "Versions that failed to load, verify or warm up, by stage.");
    }

    public Counter<long> Predictions { get; }

    public Counter<long> Errors { get; }

    public Histogram<double> Latency { get; }

    public Counter<long> Swaps { get; }

    public Counter<long> LoadFailures { get; }
}
