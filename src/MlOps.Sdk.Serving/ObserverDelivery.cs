namespace MlOps.Sdk.Serving;

/// <summary>How a model host hands predictions to an <see cref="IPredictionObserver{TIn, TOut}"/>.</summary>
public enum ObserverDelivery
{
    /// <summary>
    /// On a bounded queue, read by a task of the observer's own (<see cref="ServingOptions.ObserverQueueCapacity"/>): the
    /// prediction pays one queue write and never waits for the observer, even one that hangs. When the queue is full
    /// the observation is dropped and counted (<c>mlops.serving.observer.dropped</c>). The default.
    /// </summary>
    Queued,

    /// <summary>
    /// On the caller's thread, after the result is computed: no queue and no allocation, for observers that are quick
    /// and never block, such as the drift monitor's capture. A throw is counted and never fails the call; a hang holds
    /// up the call it happens in.
    /// </summary>
    Inline,
}
