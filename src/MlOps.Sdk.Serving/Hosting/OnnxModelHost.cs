using System.Diagnostics;
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
        if (options.WarmUpSample is { } sample && sample is not TIn)
        {
            throw new MlOpsValidationException($"Model host '{name}' was given a warm-up sample of type {sample.GetType().Name}; it serves {typeof(TIn).Name}.");
        }

        Name = name;
        Sender = this;
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
            new(name, new ModelHostOptions { PollInterval = options.PollInterval, WarmUpOnLoad = options.WarmUpOnLoad, WarmUpSample = options.WarmUpSample }.FollowAlias(alias), services, variant);
    }

    /// <summary>The hosts behind the variants and the shadow, which start and stop with this one.</summary>
    private IEnumerable<OnnxModelHost<TIn, TOut>> Followers => _routes.Select(r => r.Host).Concat(_shadow is null ? [] : [_shadow.Challenger]);

    public override event EventHandler<ModelVersion>? Swapped;

    public override event EventHandler<ModelLoadFailure>? LoadFailed;

    public override string Name { get; }

    public override ModelVersion? CurrentVersion => Volatile.Read(ref _current)?.Version;

    public ModelLoadFailure? LastLoadFailure { get; private set; }

    /// <summary>The sender of <see cref="Swapped"/> and <see cref="LoadFailed"/>: this host, or the public host that wraps it.</summary>
    internal object Sender { get; set; }

    /// <summary>What one call on the model runs: with the leased version it serves, and the state it was given.</summary>
    private delegate TResult Call<TState, TResult>(LoadedModel<TIn, TOut> model, TState state)
        where TState : allows ref struct;

    /// <summary>
    /// What every prediction does, in one place: lease the version serving now (a swap never pulls it away mid-call), run
    /// <paramref name="call"/> in a <c>mlops.predict</c> span, count its <paramref name="rows"/> as predictions or errors,
    /// record its latency, and release the lease.
    /// </summary>
    private TResult Execute<TState, TResult>(TState state, int rows, Call<TState, TResult> call, out ModelVersion version)
        where TState : allows ref struct
    {
        var started = Stopwatch.GetTimestamp();
        var model = Lease();
        version = model.Version;
        using var activity = ServingTelemetry.Source.StartActivity("mlops.predict");
        if (activity is not null)
        {
            activity.SetTag("mlops.model", Name);
            activity.SetTag("mlops.model.version", version.Number);
            activity.SetTag("mlops.variant", _variant);
            activity.SetTag("mlops.rows", rows);
        }

        try
        {
            var result = call(model, state);
            _telemetry.Predictions.Add(rows, _tag, _variantTag);
            return result;
        }
        catch (Exception e)
        {
            _telemetry.Errors.Add(rows, _tag, _variantTag, new KeyValuePair<string, object?>("error.type", e.GetType().Name));
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            model.Release();
            _telemetry.Latency.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _tag, _variantTag);
        }
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
