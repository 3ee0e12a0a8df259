using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Serving.Hosting;

/// <summary>
/// Hands predictions to an observer through a bounded queue read by one task: the predicting thread only pays a
/// <see cref="ChannelWriter{T}.TryWrite"/>, and an observer that throws or hangs costs the predictions nothing.
/// </summary>
internal sealed partial class QueuedObserver<TIn, TOut> : IPredictionObserver<TIn, TOut>
{
    private readonly IPredictionObserver<TIn, TOut> _observer;
    private readonly Channel<(TIn Input, TOut Output, ModelVersion Version)> _queue;
    private readonly ServingTelemetry _telemetry;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly ILogger _logger;
    private int _failureLogged;

    public QueuedObserver(IPredictionObserver<TIn, TOut> observer, int capacity, ServingTelemetry telemetry, KeyValuePair<string, object?> tag, ILogger logger)
    {
        (_observer, _telemetry, _tag, _logger) = (observer, telemetry, tag, logger);
        _queue = Channel.CreateBounded<(TIn, TOut, ModelVersion)>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        Completion = Task.Run(DeliverAsync);
    }

    /// <summary>Completes once the queue is closed and drained (or the observer's last call returns).</summary>
    public Task Completion { get; }

    public void OnPrediction(TIn input, TOut output, ModelVersion version)
    {
        if (!_queue.Writer.TryWrite((input, output, version)))
        {
            _telemetry.ObserverDropped.Add(1, _tag);
        }
    }

    /// <summary>Takes no more predictions; those queued are still delivered.</summary>
    public void Close() => _queue.Writer.TryComplete();

    private async Task DeliverAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                try
                {
                    _observer.OnPrediction(item.Input, item.Output, item.Version);
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
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "Prediction observer {Observer} threw; its failures are counted (mlops.serving.observer_errors) and logged once.")]
        public static partial void ObserverFailed(ILogger logger, Exception exception, string observer);
    }
}
