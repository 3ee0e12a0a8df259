using Microsoft.Extensions.Logging;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Serving.Hosting;

/// <summary>
/// Serves one model: calls lease the current version; a new version is loaded, verified against the typed mapping and
/// warmed up aside, then swapped in with one reference exchange; the old session is disposed when its calls are done.
/// </summary>
internal sealed partial class OnnxModelHost<TIn, TOut> : ModelHost<TIn, TOut>, IModelHostState, IAsyncDisposable, IDisposable
    where TOut : new()
{
    private readonly ModelRegistry _registry;
    private readonly Polly.ResiliencePipeline _loadPipeline;
    private readonly ServingOptions _serving;
    private readonly ModelHostOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ServingTelemetry _telemetry;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly KeyValuePair<string, object?> _variantTag;
    private readonly string _variant;
    private readonly (int UpTo, OnnxModelHost<TIn, TOut> Host)[] _routes = [];
    private readonly Routing.ShadowMirror<TIn, TOut>? _shadow;
    private IPredictionObserver<TIn, TOut>[] _observers = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<QueuedObserver<TIn, TOut>, byte> _queuedObservers = new();
    private ModelVersion? _previous;
    private bool _pinned;
    private readonly SemaphoreSlim _swapLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private LoadedModel<TIn, TOut>? _current;
    private ContentDigest? _lastFailed;
    private readonly Batching.MicroBatcher<TIn, TOut>? _batcher;
    private readonly SemaphoreSlim _aliasMoved = new(0);
    private readonly CallbackGuard _callbacks;
    private string? _unavailable;
    private Task? _follower;
    private int _disposed;
    private int _started;

    public OnnxModelHost(string name, ModelHostOptions options, HostServices services, string variant = ModelHostOptions.PrimaryVariant)
    {
        var (registry, serving, time, logger, telemetry, loadPipeline) = services;
        Name = name;
        _loadPipeline = loadPipeline;
        _telemetry = telemetry;
        _variant = variant;
        _tag = new KeyValuePair<string, object?>("mlops.model", name);
        _variantTag = new KeyValuePair<string, object?>("mlops.variant", variant);
        _registry = registry;
        _serving = serving;
        _options = options;
        _time = time;
        _logger = logger;
        _callbacks = new CallbackGuard(telemetry.CallbackErrors, logger, serving.CallbackTimeout);
        if (options.Batching is { } batching)
        {
            _batcher = new Batching.MicroBatcher<TIn, TOut>(batching, RunBatched, ServeObserved);
        }

        var upTo = 0;
        _routes = options.Variants.Select(v => (upTo += Routing.RoutingKey.Share(v.Percent), Follower(v.Name, v.Alias))).ToArray();
        if (options.Shadow is { } shadow)
        {
            _shadow = new Routing.ShadowMirror<TIn, TOut>(shadow, Follower("shadow", shadow.Alias), telemetry, name);
        }

        OnnxModelHost<TIn, TOut> Follower(string variant, string alias) =>
            new(name, new ModelHostOptions { PollInterval = options.PollInterval }.FollowAlias(alias), services, variant);
    }

    /// <summary>The hosts behind the variants and the shadow, which start and stop with this one.</summary>
    private IEnumerable<OnnxModelHost<TIn, TOut>> Followers => _routes.Select(r => r.Host).Concat(_shadow is null ? [] : [_shadow.Challenger]);

    public override event EventHandler<ModelVersion>? Swapped;

    public override event EventHandler<ModelLoadFailure>? LoadFailed;

    public override string Name { get; }

    public override ModelVersion? CurrentVersion => Volatile.Read(ref _current)?.Version;

    public ModelLoadFailure? LastLoadFailure { get; private set; }

    public override TOut Predict(TIn input) => Route(input, null, out _, out _);

    public override TOut Predict(TIn input, string routingKey)
    {
        ArgumentNullException.ThrowIfNull(routingKey);
        return Route(input, routingKey, out _, out _);
    }

    public override ValueTask<TOut> PredictAsync(TIn input, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TOut>(cancellationToken);
        }

        if (_batcher is not null && _routes.Length == 0 && _shadow is null)
        {
            return _batcher.PredictAsync(input, cancellationToken);
        }

        try
        {
            return new ValueTask<TOut>(Route(input, null, out _, out _));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<TOut>(e);
        }
    }

    private TOut[] RunBatched(ReadOnlyMemory<TIn> inputs)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var model = Lease();
        try
        {
            var results = inputs.Length == 1 || !model.CanBatch ? RunEach(model, inputs.Span) : model.RunBatch(inputs.Span);
            _telemetry.Predictions.Add(results.Length, _tag, _variantTag);
            _telemetry.BatchSize.Record(results.Length, _tag, _variantTag);
            for (var i = 0; i < results.Length; i++)
            {
                Notify(inputs.Span[i], results[i], model.Version);
            }

            return results;
        }
        catch (Exception e)
        {
            _telemetry.Errors.Add(inputs.Length, _tag, _variantTag, new KeyValuePair<string, object?>("error.type", e.GetType().Name));
            throw;
        }
        finally
        {
            model.Release();
            _telemetry.Latency.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, _tag, _variantTag);
        }

        static TOut[] RunEach(LoadedModel<TIn, TOut> model, ReadOnlySpan<TIn> inputs)
        {
            var results = new TOut[inputs.Length];
            for (var i = 0; i < inputs.Length; i++)
            {
                results[i] = model.Run(inputs[i]);
            }

            return results;
        }
    }

    public override IReadOnlyList<TOut> Predict(ReadOnlySpan<TIn> inputs)
    {
        if (inputs.IsEmpty)
        {
            return [];
        }

        var model = Lease();
        try
        {
            var results = model.RunBatch(inputs);
            _telemetry.Predictions.Add(results.Length, _tag, _variantTag);
            return results;
        }
        catch (Exception e)
        {
            _telemetry.Errors.Add(inputs.Length, _tag, _variantTag, new KeyValuePair<string, object?>("error.type", e.GetType().Name));
            throw;
        }
        finally
        {
            model.Release();
        }
    }

    public override ModelTensors CreateTensors(int batchSize = 1, params string[] outputs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var model = Lease();
        try
        {
            return model.CreateTensors(batchSize, outputs);
        }
        finally
        {
            model.Release();
        }
    }

    public override ModelVersion Run(ModelTensors tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var onnx = tensors as OnnxTensors ?? throw new ArgumentException("These tensors were not made by an ONNX model host's CreateTensors.", nameof(tensors));
        return Run(onnx);
    }

    private ModelVersion Run(OnnxTensors tensors)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        tensors.Enter();
        var model = Lease();
        try
        {
            model.Run(tensors);
            _telemetry.Predictions.Add(tensors.BatchSize, _tag, _variantTag);
            return model.Version;
        }
        catch (Exception e)
        {
            _telemetry.Errors.Add(tensors.BatchSize, _tag, _variantTag, new KeyValuePair<string, object?>("error.type", e.GetType().Name));
            throw;
        }
        finally
        {
            model.Release();
            tensors.Exit();
            _telemetry.Latency.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, _tag, _variantTag);
        }
    }

    public override Prediction<TOut> PredictWithProvenance(TIn input, string? routingKey = null)
    {
        var output = Route(input, routingKey, out var version, out var variant);
        return new Prediction<TOut>(output, version.ModelName, version.Number, version.Digest!.Value, variant);
    }

    /// <summary>Serves on the variant the key (or chance) picks, then offers the call to the shadow.</summary>
    private TOut Route(TIn input, string? routingKey, out ModelVersion version, out string variant)
    {
        var host = Choose(routingKey);
        var output = host.Serve(input, out version);
        variant = host._variant;
        _shadow?.Offer(input, output, routingKey);
        Notify(input, output, version);
        return output;
    }

    private TOut ServeObserved(TIn input)
    {
        var output = Serve(input, out var version);
        Notify(input, output, version);
        return output;
    }

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

    /// <summary>The variant whose bucket range holds the key; the primary when none does or it has nothing loaded yet.</summary>
    private OnnxModelHost<TIn, TOut> Choose(string? routingKey)
    {
        if (_routes.Length == 0)
        {
            return this;
        }

        var bucket = routingKey is null ? Routing.RoutingKey.Random() : Routing.RoutingKey.Bucket(Name, routingKey);
        foreach (var (upTo, host) in _routes)
        {
            if (bucket < upTo)
            {
                return host.CurrentVersion is null ? this : host;
            }
        }

        return this;
    }

    private TOut Serve(TIn input, out ModelVersion version)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var model = Lease();
        version = model.Version;
        using var activity = ServingTelemetry.Source.StartActivity("mlops.predict");
        activity?.SetTag("mlops.model", Name);
        activity?.SetTag("mlops.model.version", version.Number);
        try
        {
            var output = model.Run(input);
            _telemetry.Predictions.Add(1, _tag, _variantTag);
            return output;
        }
        catch (Exception e)
        {
            _telemetry.Errors.Add(1, _tag, _variantTag, new KeyValuePair<string, object?>("error.type", e.GetType().Name));
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            model.Release();
            _telemetry.Latency.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, _tag, _variantTag);
        }
    }

    /// <summary>Stops following, waits for the follower, the shadow and running callbacks, and frees the sessions once their calls are done.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!BeginDispose())
        {
            return;
        }

        if (_follower is not null)
        {
            await _follower.ConfigureAwait(false);
        }

        if (_shadow is not null)
        {
            await _shadow.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var follower in Followers)
        {
            await follower.DisposeAsync().ConfigureAwait(false);
        }

        await _callbacks.DisposeAsync().ConfigureAwait(false);
        await DrainObserversAsync().ConfigureAwait(false);
        EndDispose();
        _stopping.Dispose();
        _swapLock.Dispose();
    }

    /// <summary>
    /// For containers disposed synchronously: stops following and frees the sessions once their calls are done, without
    /// blocking on the background work, which ends on its own as soon as it sees the cancellation.
    /// </summary>
    public void Dispose()
    {
        if (!BeginDispose())
        {
            return;
        }

        _shadow?.Dispose();
        foreach (var observer in _queuedObservers.Keys)
        {
            observer.Close();
        }

        foreach (var follower in Followers)
        {
            follower.Dispose();
        }

        EndDispose();
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

    private bool BeginDispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return false;
        }

        _registry.AliasMoved -= OnAliasMoved;
        _stopping.Cancel();
        return true;
    }

    private void EndDispose()
    {
        Interlocked.Exchange(ref _current, null)?.Dispose();
        _unavailable = "the host was disposed.";
    }

    private LoadedModel<TIn, TOut> Lease()
    {
        while (true)
        {
            var model = Volatile.Read(ref _current) ?? throw NotLoaded();
            if (model.TryLease())
            {
                return model;
            }

            // The version was swapped out and drained between the read and the lease: read the new one.
        }
    }
}
