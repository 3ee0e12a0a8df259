using Microsoft.Extensions.Logging;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Serving.Hosting;

/// <summary>
/// Serves one model: calls lease the current version; a new version is loaded, verified against the typed mapping and
/// warmed up aside, then swapped in with one reference exchange; the old session is disposed when its calls are done.
/// </summary>
internal sealed partial class ModelHost<TIn, TOut> : IModelHost<TIn, TOut>, IModelHostState, IAsyncDisposable
    where TOut : new()
{
    private readonly IModelRegistry _registry;
    private readonly ServingOptions _serving;
    private readonly ModelHostOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ServingTelemetry _telemetry;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly KeyValuePair<string, object?> _variantTag;
    private readonly string _variant;
    private readonly (int UpTo, ModelHost<TIn, TOut> Host)[] _routes = [];
    private readonly Routing.ShadowMirror<TIn, TOut>? _shadow;
    private IPredictionObserver<TIn, TOut>[] _observers = [];
    private ModelVersion? _previous;
    private bool _pinned;
    private readonly SemaphoreSlim _swapLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private LoadedModel<TIn, TOut>? _current;
    private ContentDigest? _lastFailed;
    private readonly Batching.MicroBatcher<TIn, TOut>? _batcher;
    private Task? _follower;
    private int _disposed;
    private int _started;

    public ModelHost(string name, IModelRegistry registry, ServingOptions serving, ModelHostOptions options, TimeProvider time, ILogger logger, ServingTelemetry telemetry, string variant = ModelHostOptions.PrimaryVariant)
    {
        Name = name;
        _telemetry = telemetry;
        _variant = variant;
        _tag = new KeyValuePair<string, object?>("mlops.model", name);
        _variantTag = new KeyValuePair<string, object?>("mlops.variant", variant);
        _registry = registry;
        _serving = serving;
        _options = options;
        _time = time;
        _logger = logger;
        if (options.Batching is { } batching)
        {
            _batcher = new Batching.MicroBatcher<TIn, TOut>(batching, RunBatched, input => Serve(input, out _));
        }

        var upTo = 0;
        _routes = options.Variants.Select(v => (upTo += Routing.RoutingKey.Share(v.Percent), Follower(v.Name, v.Alias))).ToArray();
        if (options.Shadow is { } shadow)
        {
            _shadow = new Routing.ShadowMirror<TIn, TOut>(shadow, Follower("shadow", shadow.Alias), telemetry, name);
        }

        ModelHost<TIn, TOut> Follower(string variant, string alias) =>
            new(name, registry, serving, new ModelHostOptions { PollInterval = options.PollInterval }.FollowAlias(alias), time, logger, telemetry, variant);
    }

    /// <summary>The hosts behind the variants and the shadow, which start and stop with this one.</summary>
    private IEnumerable<ModelHost<TIn, TOut>> Followers => _routes.Select(r => r.Host).Concat(_shadow is null ? [] : [_shadow.Challenger]);

    public event EventHandler<ModelVersion>? Swapped;

    public event EventHandler<ModelLoadFailure>? LoadFailed;

    public string Name { get; }

    public ModelVersion? CurrentVersion => Volatile.Read(ref _current)?.Version;

    public ModelLoadFailure? LastLoadFailure { get; private set; }

    public TOut Predict(TIn input) => Route(input, null, out _, out _);

    public TOut Predict(TIn input, string routingKey)
    {
        ArgumentNullException.ThrowIfNull(routingKey);
        return Route(input, routingKey, out _, out _);
    }

    public ValueTask<TOut> PredictAsync(TIn input, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TOut>(cancellationToken);
        }

        if (_batcher is not null && _routes.Length == 0 && _shadow is null && Volatile.Read(ref _observers).Length == 0)
        {
            return _batcher.PredictAsync(input);
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

    public IReadOnlyList<TOut> Predict(ReadOnlySpan<TIn> inputs)
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

    public ModelTensors CreateTensors(int batchSize = 1, params string[] outputs)
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

    public ModelVersion Run(ModelTensors tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
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

    public Prediction<TOut> PredictWithProvenance(TIn input, string? routingKey = null)
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

        return output;
    }

    public IDisposable Observe(IPredictionObserver<TIn, TOut> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        Update(observers => [.. observers, observer]);
        return new Subscription(() => Update(observers => observers.Where(o => !ReferenceEquals(o, observer)).ToArray()));

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

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }

    /// <summary>The variant whose bucket range holds the key; the primary when none does or it has nothing loaded yet.</summary>
    private ModelHost<TIn, TOut> Choose(string? routingKey)
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

    public async Task<bool> PinAsync(int version, CancellationToken cancellationToken = default)
    {
        var target = await _registry.GetVersionAsync(Name, version, cancellationToken).ConfigureAwait(false)
            ?? throw new MlOpsNotFoundException($"Model '{Name}' has no version {version}.");
        _pinned = true;
        return await SwapToAsync(target, cancellationToken).ConfigureAwait(false);
    }

    public async Task UnpinAsync(CancellationToken cancellationToken = default)
    {
        _pinned = false;
        _lastFailed = null;
        await RefreshAsync(cancellationToken, force: true).ConfigureAwait(false);
    }

    public async Task<bool> RollbackAsync(CancellationToken cancellationToken = default)
    {
        var previous = _previous ?? throw new InvalidOperationException($"Model host '{Name}' has served only one version; there is nothing to roll back to.");
        _pinned = true;
        return await SwapToAsync(previous, cancellationToken).ConfigureAwait(false);
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

    public async Task<bool> SwapToAsync(ModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        await _swapLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        using var activity = ServingTelemetry.Source.StartActivity("mlops.swap");
        activity?.SetTag("mlops.model", Name);
        activity?.SetTag("mlops.model.version", version.Number);
        LoadedModel<TIn, TOut>? loaded = null;
        var stage = "load";
        try
        {
            if (CurrentVersion is { } current && current.Number == version.Number && current.Digest == version.Digest)
            {
                // Asking for what already serves succeeds; an earlier failure no longer describes the host.
                LastLoadFailure = null;
                return true;
            }

            var content = await _serving.LoadPipeline.ExecuteAsync(
                async (target, ct) =>
                {
                    var stream = await _registry.OpenContentAsync(target, ct).ConfigureAwait(false);
                    await using (stream.ConfigureAwait(false))
                    {
                        using var buffer = new MemoryStream();
                        await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
                        return buffer.ToArray();
                    }
                },
                version,
                cancellationToken).ConfigureAwait(false);

            stage = "verify";
            loaded = new LoadedModel<TIn, TOut>(version, content, _serving);
            stage = "warm-up";
            loaded.WarmUp();

            var old = Interlocked.Exchange(ref _current, loaded);
            loaded = null;
            _previous = old?.Version ?? _previous;
            old?.Dispose();
            _telemetry.Swaps.Add(1, _tag, _variantTag);
            _lastFailed = null;
            LastLoadFailure = null;
            Log.Swapped(_logger, Name, version.Number, version.Digest?.ToString() ?? string.Empty);
            Swapped?.Invoke(this, version);
            await RecordDeploymentAsync(version).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            loaded?.Dispose();
            _lastFailed = version.Digest;
            _telemetry.LoadFailures.Add(1, _tag, _variantTag, new KeyValuePair<string, object?>("mlops.stage", stage));
            LastLoadFailure = new ModelLoadFailure(version, stage, e);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, $"{stage}: {e.Message}");
            Log.LoadFailed(_logger, e, Name, version.Number, stage);
            LoadFailed?.Invoke(this, LastLoadFailure);
            return false;
        }
        finally
        {
            _swapLock.Release();
        }
    }

    /// <summary>Records the swap for lineage; the version serves whether or not the registry can be told.</summary>
    private async Task RecordDeploymentAsync(ModelVersion version)
    {
        try
        {
            await _registry.RecordDeploymentAsync(
                new ModelDeployment(version.ModelName, version.Number, version.Digest!.Value, ModelDeployment.CurrentInstance, _variant, _time.GetUtcNow()),
                _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host is stopping.
        }
        catch (Exception e)
        {
            Log.DeploymentNotRecorded(_logger, e, Name, version.Number);
        }
    }

    /// <summary>Loads what the host should serve, then keeps following its alias until disposed.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        foreach (var follower in Followers)
        {
            await follower.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        // The generic host and user code may both start the host: follow once.
        if (_options.Alias is not null && Interlocked.Exchange(ref _started, 1) == 0)
        {
            _registry.AliasMoved += OnAliasMoved;
            _follower = Task.Run(() => PollAsync(_stopping.Token), CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _registry.AliasMoved -= OnAliasMoved;
        await _stopping.CancelAsync().ConfigureAwait(false);
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

        Interlocked.Exchange(ref _current, null)?.Dispose();
        _stopping.Dispose();
        _swapLock.Dispose();
    }

    private LoadedModel<TIn, TOut> Lease()
    {
        while (true)
        {
            var model = Volatile.Read(ref _current)
                ?? throw new InvalidOperationException($"Model host '{Name}' has no version loaded yet: start the host (it loads on start) or call SwapToAsync.");
            if (model.TryLease())
            {
                return model;
            }

            // The version was swapped out and drained between the read and the lease: read the new one.
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken, bool force = false)
    {
        if (_pinned && !force)
        {
            return;
        }

        ModelVersion? wanted;
        try
        {
            wanted = _options.PinnedVersion is { } pinned
                ? await _registry.GetVersionAsync(Name, pinned, cancellationToken).ConfigureAwait(false)
                : await _registry.ResolveAsync($"{Name}@{_options.Alias}", cancellationToken).ConfigureAwait(false);
        }
        catch (MlOpsNotFoundException)
        {
            return;
        }

        // A version that failed is not tried again on every poll; the next move of the alias is.
        if (wanted is null || (_lastFailed is not null && wanted.Digest == _lastFailed))
        {
            return;
        }

        await SwapToAsync(wanted, cancellationToken).ConfigureAwait(false);
    }

    private void OnAliasMoved(object? sender, AliasMove move)
    {
        if (move.ModelName == Name && move.Alias == _options.Alias && move.ToVersion is not null)
        {
            _ = Task.Run(() => RefreshAsync(_stopping.Token));
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                Log.PollFailed(_logger, e, Name);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Model host '{Name}' now serves version {Version} ({Digest}).")]
        public static partial void Swapped(ILogger logger, string name, int version, string digest);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Model host '{Name}' could not {Stage} version {Version}; the version before it keeps serving.")]
        public static partial void LoadFailed(ILogger logger, Exception exception, string name, int version, string stage);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Model host '{Name}' serves version {Version} but could not record the deployment for lineage.")]
        public static partial void DeploymentNotRecorded(ILogger logger, Exception exception, string name, int version);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Model host '{Name}' could not ask the registry where its alias points; it will ask again.")]
        public static partial void PollFailed(ILogger logger, Exception exception, string name);
    }
}
