using MlOps.Sdk.Serving;

namespace MlOps.Sdk.Monitoring;

/// <summary>
/// Drift of what goes out of the model: the distribution of its outputs (scores, labels: every number, string and bool
/// of <c>TOut</c>) per window, against a profile of the training run's predictions on its own data, with the same tests,
/// options, alerts and reports as input features.
/// </summary>
public static class PredictionDrift
{
    /// <summary>
    /// Feeds <paramref name="monitor"/> (built on the profile of the model's outputs) with every output
    /// <paramref name="host"/> computes, as <see cref="DriftMonitor{TIn}.Watch"/> feeds a monitor with its inputs: queued,
    /// never on the prediction's path. Dispose the result to stop.
    /// </summary>
    public static IDisposable WatchPredictions<TIn, TOut>(this DriftMonitor<TOut> monitor, ModelHost<TIn, TOut> host)
        where TOut : new()
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(host);
        return host.Observe(new OutputObserver<TIn, TOut>(monitor), ObserverDelivery.Queued);
    }

    private sealed class OutputObserver<TIn, TOut>(DriftMonitor<TOut> monitor) : IPredictionObserver<TIn, TOut>
    {
        public void OnPrediction(TIn input, TOut output, Versioning.ModelVersion version) => monitor.Observe(output);
    }
}
