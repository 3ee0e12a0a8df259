using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Serving.Hosting;

/// <summary>Observers: shown every single prediction, inline or on a queue of their own.</summary>
internal sealed partial class OnnxModelHost<TIn, TOut>
{
    /// <summary>Shows one prediction to the observers; an observer's failure is counted, never thrown at the caller.</summary>
    private void Notify(TIn input, TOut output, ModelVersion version)
    {
        foreach (var observer in Volatile.Read(ref _observers))
        {
            try
            {
                observer.OnPrediction(input, output, version);
            }
            catch (Exception e)
            {
                _telemetry.ObserverErrors.Add(1, _tag, new KeyValuePair<string, object?>("error.type", e.GetType().Name));
            }
        }
    }

    public override IDisposable Observe(IPredictionObserver<TIn, TOut> observer) => Observe(observer, ObserverDelivery.Queued);

    public override IDisposable Observe(IPredictionObserver<TIn, TOut> observer, ObserverDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        QueuedObserver<TIn, TOut>? queued = null;
        if (delivery == ObserverDelivery.Queued)
        {
            queued = new QueuedObserver<TIn, TOut>(observer, _serving.ObserverQueueCapacity, _telemetry, _tag, _logger);
            observer = queued;
            _queuedObservers[queued] = 0;

            // Tracked until its queue is drained, so that disposal awaits what an unsubscribed observer still delivers.
            var drained = queued;
            queued.Completion.ContinueWith(_ => _queuedObservers.TryRemove(drained, out var _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        Update(observers => [.. observers, observer]);
        return new Subscription(
            () =>
            {
                Update(observers => observers.Where(o => !ReferenceEquals(o, observer)).ToArray());
                queued?.Close();
            },
            queued?.Completion ?? Task.CompletedTask,
            _serving.CallbackTimeout);

        void Update(Func<IPredictionObserver<TIn, TOut>[], IPredictionObserver<TIn, TOut>[]> change)
        {
            while (true)
            {
                var current = Volatile.Read(ref _observers);
                if (Interlocked.CompareExchange(ref _observers, change(current), current) == current)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Ends an observation. Disposing it asynchronously also waits, at most <see cref="ServingOptions.CallbackTimeout"/>,
    /// until a queued observer has been given every prediction made before.
    /// </summary>
    private sealed class Subscription(Action dispose, Task delivered, TimeSpan timeout) : IDisposable, IAsyncDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();

        public async ValueTask DisposeAsync()
        {
            Dispose();
            try
            {
                await delivered.WaitAsync(timeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The observer is still busy (or hung): the host's disposal waits for it again and logs it.
            }
        }
    }


    /// <summary>Delivers what queued observers still hold, waiting at most <see cref="ServingOptions.CallbackTimeout"/>.</summary>
    private async Task DrainObserversAsync()
    {
        var queued = _queuedObservers.Keys.ToArray();
        foreach (var observer in queued)
        {
            observer.Close();
        }

        try
        {
            await Task.WhenAll(queued.Select(o => o.Completion)).WaitAsync(_serving.CallbackTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _callbacks.Count("PredictionObserver", "timeout");
            Log.ObserverAbandoned(_logger, Name, _serving.CallbackTimeout);
        }
    }
}
