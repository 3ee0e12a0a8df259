using System.Threading.Channels;
using MlOps.Sdk.Serving.Hosting;

namespace MlOps.Sdk.Serving.Routing;

/// <summary>
/// Mirrors sampled calls to a challenger on a bounded queue, read by one background task: the caller only pays a
/// <see cref="ChannelWriter{T}.TryWrite"/>, and a full queue drops the call (counted) instead of delaying it.
/// </summary>
internal sealed class ShadowMirror<TIn, TOut> : IAsyncDisposable, IDisposable
    where TOut : new()
{
    private readonly ShadowOptions _options;
    private readonly ServingTelemetry _telemetry;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly string _salt;
    private readonly int _share;
    private readonly OutputComparer<TOut> _comparer = new();
    private readonly Channel<(TIn Input, TOut Served)> _queue;
    private readonly Task _worker;

    public ShadowMirror(ShadowOptions options, OnnxModelHost<TIn, TOut> challenger, ServingTelemetry telemetry, string name)
    {
        _options = options;
        Challenger = challenger;
        _telemetry = telemetry;
        _tag = new("mlops.model", name);
        _salt = "shadow:" + name;
        _share = RoutingKey.Share(options.Percent);
        _queue = Channel.CreateBounded<(TIn, TOut)>(new BoundedChannelOptions(options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _worker = Task.Run(CompareAsync);
    }

    public OnnxModelHost<TIn, TOut> Challenger { get; }

    public void Offer(TIn input, TOut served, string? key)
    {
        if ((key is null ? RoutingKey.Random() : RoutingKey.Bucket(_salt, key)) >= _share)
        {
            return;
        }

        if (!_queue.Writer.TryWrite((input, served)))
        {
            _telemetry.ShadowDropped.Add(1, _tag);
        }
    }

    /// <summary>Stops taking calls; the worker compares what is queued and ends on its own.</summary>
    public void Dispose() => _queue.Writer.TryComplete();

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
    }

    private async Task CompareAsync()
    {
        await foreach (var (input, served) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            string outcome;
            try
            {
                if (Challenger.CurrentVersion is null)
                {
                    outcome = "unavailable";
                }
                else
                {
                    var (agree, difference) = _comparer.Compare(served, Challenger.Predict(input), _options.Tolerance);
                    _telemetry.ShadowDifference.Record(difference, _tag);
                    outcome = agree ? "agree" : "disagree";
                }
            }
            catch (Exception)
            {
                // The challenger's failures are its own: counted, never seen by callers.
                outcome = "error";
            }

            _telemetry.ShadowComparisons.Add(1, _tag, new KeyValuePair<string, object?>("mlops.shadow.outcome", outcome));
        }
    }
}
