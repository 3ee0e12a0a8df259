using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Serving;

/// <summary>
/// Sees every single prediction a host serves (monitoring, shadow logging), through a queue of its own by default or
/// on the caller's thread (<see cref="ObserverDelivery"/>). An observer that throws is counted
/// (<c>mlops.serving.observer_errors</c>) and never fails the call.
/// </summary>
public interface IPredictionObserver<in TIn, in TOut>
{
    /// <summary>Called with the input, the result and the version that computed it.</summary>
    void OnPrediction(TIn input, TOut output, ModelVersion version);
}
