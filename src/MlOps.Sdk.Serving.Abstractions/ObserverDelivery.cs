namespace MlOps.Sdk.Serving;

/// <summary>How a model host hands predictions to an <see cref="IPredictionObserver{TIn, TOut}"/>.</summary>
public enum ObserverDelivery
{
    /// <summary>
    /// On a bounded lock-free queue, read by a task of the observer's own (<c>ServingOptions.ObserverQueueCapacity</c>):
    /// the prediction pays one compare-and-swap and never waits for the observer, even one that hangs; the observer sees
    /// it within about a millisecond. When the queue is full the observation is dropped and counted
    /// (<c>mlops.serving.observer.dropped</c>). The default, and how the drift monitor captures.
    /// </summary>
    Queued,

    /// <summary>
    /// On the caller's thread, after the result is computed and before the call returns: no queue, for observers that are
    /// quick, never block and must see the prediction before its caller does. A throw is counted and never fails the
    /// call; a hang holds up the call it happens in.
    /// </summary>
    Inline,
}
