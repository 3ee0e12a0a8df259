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
        BatchSize = meter.CreateHistogram<int>("mlops.serving.batch_size", "{prediction}", "Calls served by one micro-batched run.");
        ShadowComparisons = meter.CreateCounter<long>("mlops.serving.shadow.comparisons", "{prediction}", "Shadow predictions compared with the served one, by agreement.");
        ShadowDifference = meter.CreateHistogram<double>("mlops.serving.shadow.difference", null, "Largest absolute difference between a shadow output and the served one.");
        ShadowDropped = meter.CreateCounter<long>("mlops.serving.shadow.dropped", "{prediction}", "Shadow predictions dropped because the shadow queue was full.");
        ObserverErrors = meter.CreateCounter<long>("mlops.serving.observer_errors", "{prediction}", "Prediction observers that threw; the predictions were served.");
        LoadFailures = meter.CreateCounter<long>("mlops.serving.load_failures", "{version}", "Versions that failed to load, verify or warm up, by stage.");
        WarmUpFailures = meter.CreateCounter<long>("mlops.serving.warmup_failures", "{version}", "Versions that failed to run on synthetic warm-up inputs and serve all the same.");
        ObserverDropped = meter.CreateCounter<long>("mlops.serving.observer.dropped", "{prediction}", "Predictions not shown to a queued observer because its queue was full.");
        CallbackErrors = meter.CreateCounter<long>("mlops.serving.callback_errors", "{call}", "Event subscribers and hooks that threw or hung, by callback and error type; the SDK carried on.");
    }

    public Counter<long> Predictions { get; }

    public Counter<long> Errors { get; }

    public Histogram<double> Latency { get; }

    public Counter<long> Swaps { get; }

    public Counter<long> LoadFailures { get; }

    public Counter<long> WarmUpFailures { get; }

    public Histogram<int> BatchSize { get; }

    public Counter<long> ObserverErrors { get; }

    public Counter<long> CallbackErrors { get; }

    public Counter<long> ObserverDropped { get; }

    public Counter<long> ShadowComparisons { get; }

    public Histogram<double> ShadowDifference { get; }

    public Counter<long> ShadowDropped { get; }
}
