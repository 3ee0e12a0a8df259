using Microsoft.Extensions.Logging;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Serving.Hosting;

/// <summary>
/// Hands predictions to an observer through a bounded lock-free ring read by one task: the predicting thread pays one
/// compare-and-swap and one flag read, and an observer that throws or hangs costs the predictions nothing (a full ring
/// drops the observation and counts it). The reader pauses <see cref="Pause"/> when the ring runs empty and parks only
/// if nothing came meanwhile, so that a steady stream of predictions never pays for waking it.
/// </summary>
internal sealed partial class QueuedObserver<TIn, TOut> : IPredictionObserver<TIn, TOut>
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(1);
    private readonly IPredictionObserver<TIn, TOut> _observer;
    private readonly BoundedRing<(TIn Input, TOut Output, ModelVersion Version)> _queue;
    private readonly ParkingSignal _signal = new();
    private readonly Func<bool> _hasWork;
    private readonly ServingTelemetry _telemetry;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly ILogger _logger;
    private int _failureLogged;

    public QueuedObserver(IPredictionObserver<TIn, TOut> observer, int capacity, ServingTelemetry telemetry, KeyValuePair<string, object?> tag, ILogger logger)
    {
        (_observer, _telemetry, _tag, _logger) = (observer, telemetry, tag, logger);
        _queue = new BoundedRing<(TIn, TOut, ModelVersion)>(capacity);
        _hasWork = () => _queue.Count > 0 || _queue.IsClosed;
        Completion = Task.Run(DeliverAsync);
    }

    /// <summary>Completes once the ring is closed and drained (or the observer's last call returns).</summary>
    public Task Completion { get; }

    public void OnPrediction(TIn input, TOut output, ModelVersion version)
    {
        if (!_queue.TryEnqueue((input, output, version)))
        {
            _telemetry.ObserverDropped.Add(1, _tag);
            return;
        }

        _signal.WakeIfParked();
    }

    /// <summary>Takes no more predictions; those queued are still delivered.</summary>
    public void Close()
    {
        _queue.Close();
        _signal.Wake();
    }

    private async Task DeliverAsync()
    {
        var idle = false;
        while (true)
        {
            var delivered = false;
            while (_queue.TryDequeue(out var item))
            {
                delivered = true;
                Deliver(item.Input, item.Output, item.Version);
            }

            if (_queue.IsClosed && _queue.Count == 0)
            {
                return;
            }

            if (delivered || _queue.Count > 0 || !idle)
            {
                // Predictions are coming (or one is being published): look again after a pause rather than park.
                idle = !delivered && _queue.Count == 0;
                await Task.Delay(Pause, TimeProvider.System).ConfigureAwait(false);
                continue;
            }

            await _signal.ParkAsync(_hasWork).ConfigureAwait(false);
            idle = false;
        }
    }

    private void Deliver(TIn input, TOut output, ModelVersion version)
    {
        try
        {
            _observer.OnPrediction(input, output, version);
        }
        catch (Exception e)
        {
            _telemetry.ObserverErrors.Add(1, _tag, new KeyValuePair<string, object?>("error.type", e.GetType().Name));
            if (Interlocked.Exchange(ref _failureLogged, 1) == 0)
            {
                Log.ObserverFailed(_logger, e, _observer.GetType().Name);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "Prediction observer {Observer} threw; its failures are counted (mlops.serving.observer_errors) and logged once.")]
        public static partial void ObserverFailed(ILogger logger, Exception exception, string observer);
    }
}
