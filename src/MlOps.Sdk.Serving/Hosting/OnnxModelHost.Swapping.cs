using Microsoft.Extensions.Logging;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Serving.Hosting;

/// <summary>Swapping: loading, verifying and warming up a version, following the alias, pinning and rolling back.</summary>
internal sealed partial class OnnxModelHost<TIn, TOut>
{
    public override async Task<bool> PinAsync(int version, CancellationToken cancellationToken = default)
    {
        var target = await _registry.GetVersionAsync(Name, version, cancellationToken).ConfigureAwait(false)
            ?? throw new MlOpsNotFoundException($"Model '{Name}' has no version {version}.");
        _pinned = true;
        return await SwapToAsync(target, cancellationToken).ConfigureAwait(false);
    }

    public override async Task UnpinAsync(CancellationToken cancellationToken = default)
    {
        _pinned = false;
        _lastFailed = null;
        await RefreshAsync(cancellationToken, force: true).ConfigureAwait(false);
    }

    public override async Task<bool> RollbackAsync(CancellationToken cancellationToken = default)
    {
        var previous = _previous ?? throw new InvalidOperationException($"Model host '{Name}' has served only one version; there is nothing to roll back to.");
        _pinned = true;
        return await SwapToAsync(previous, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<bool> SwapToAsync(ModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        await _swapLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        ModelLoadFailure? failure;
        try
        {
            if (Serves(version))
            {
                // Asking for what already serves succeeds; an earlier failure no longer describes the host.
                LastLoadFailure = null;
                return true;
            }

            failure = await LoadAndSwapAsync(version, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _swapLock.Release();
        }

        // Subscribers run after the swap is done and the lock is free, isolated and bounded in time: their code can
        // neither undo nor hold up a swap.
        if (failure is null)
        {
            await _callbacks.RaiseAsync(nameof(Swapped), Swapped, Sender, version).ConfigureAwait(false);
            await RecordDeploymentAsync(version).ConfigureAwait(false);
            return true;
        }

        await _callbacks.RaiseAsync(nameof(LoadFailed), LoadFailed, Sender, failure).ConfigureAwait(false);
        return false;
    }

    private bool Serves(ModelVersion version) => CurrentVersion is { } current && current.Number == version.Number && current.Digest == version.Digest;

    /// <summary>Loads, verifies and warms up <paramref name="version"/> and swaps it in; the failure, if any, is recorded and returned.</summary>
    private async Task<ModelLoadFailure?> LoadAndSwapAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        using var activity = ServingTelemetry.Source.StartActivity("mlops.swap");
        activity?.SetTag("mlops.model", Name);
        activity?.SetTag("mlops.model.version", version.Number);
        LoadedModel<TIn, TOut>? loaded = null;
        var stage = "load";
        try
        {
            var content = await _loadPipeline.ExecuteAsync(
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
            using (var sessionOptions = await CreateSessionOptionsAsync(cancellationToken).ConfigureAwait(false))
            {
                loaded = new LoadedModel<TIn, TOut>(version, content, _serving, sessionOptions);
            }

            stage = "warm-up";
            await WarmUpAsync(loaded, version, cancellationToken).ConfigureAwait(false);

            var old = Interlocked.Exchange(ref _current, loaded);
            loaded = null;
            _previous = old?.Version ?? _previous;
            old?.Dispose();
            _telemetry.Swaps.Add(1, _tag, _variantTag);
            _lastFailed = null;
            LastLoadFailure = null;
            Log.Swapped(_logger, Name, version.Number, version.Digest?.ToString() ?? string.Empty);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            loaded?.Dispose();
            _lastFailed = version.Digest;
            _telemetry.LoadFailures.Add(1, _tag, _variantTag, new KeyValuePair<string, object?>("mlops.stage", stage));
            LastLoadFailure = new ModelLoadFailure(version, stage, e);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, $"{stage}: {e.Message}");
            if (CurrentVersion is { } serving)
            {
                Log.LoadFailed(_logger, e, Name, version.Number, stage, serving.Number);
            }
            else
            {
                Log.LoadFailedNothingServes(_logger, e, Name, version.Number, stage);
            }

            return LastLoadFailure;
        }
    }

    /// <summary>
    /// Runs the new version once before it takes traffic: on the caller's sample, else on the input example registered
    /// with the version — either of which it must serve (a throw refuses the version) — or else on synthetic inputs,
    /// whose failure is only logged and counted.
    /// </summary>
    private async Task WarmUpAsync(LoadedModel<TIn, TOut> loaded, ModelVersion version, CancellationToken cancellationToken)
    {
        if (!_options.WarmUpOnLoad)
        {
            return;
        }

        if (_options.WarmUpSample is TIn sample)
        {
            loaded.Run(sample);
            return;
        }

        if (version.InputExample is not null)
        {
            var example = await _registry.GetInputExampleAsync(version, cancellationToken).ConfigureAwait(false);
            loaded.RunExample(example!);
            return;
        }

        if (loaded.TryWarmUpSynthetic() is { } failure)
        {
            _telemetry.WarmUpFailures.Add(1, _tag, _variantTag);
            Log.SyntheticWarmUpFailed(_logger, failure, Name, version.Number);
        }
    }

    /// <summary>The session options, with the host's <see cref="ServingOptions.ConfigureSession"/> hook applied in bounded time.</summary>
    private async Task<Microsoft.ML.OnnxRuntime.SessionOptions> CreateSessionOptionsAsync(CancellationToken cancellationToken)
    {
        var options = _serving.CreateSessionOptions();
        if (_serving.ConfigureSession is not { } configure)
        {
            return options;
        }

        Exception? error = null;
        var completed = await _callbacks.RunAsync(
            nameof(ServingOptions.ConfigureSession),
            _ =>
            {
                try
                {
                    configure(options);
                }
                catch (Exception e)
                {
                    // Kept to fail the load with it, and counted as any callback failure is; the load failure logs it.
                    error = e;
                    _callbacks.Count(nameof(ServingOptions.ConfigureSession), e.GetType().Name);
                }

                return Task.CompletedTask;
            },
            cancellationToken).ConfigureAwait(false);
        if (!completed || error is not null)
        {
            // A hook that hangs may still hold the options: they are left to it rather than disposed under it.
            if (error is not null)
            {
                options.Dispose();
            }

            throw new MlOpsException(
                error is null
                    ? $"ServingOptions.ConfigureSession did not return within {_serving.CallbackTimeout}; the version was not loaded."
                    : $"ServingOptions.ConfigureSession threw {error.GetType().Name}: {error.Message}; the version was not loaded.",
                error);
        }

        return options;
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
    public override async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        foreach (var follower in Followers)
        {
            await follower.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        // The generic host and user code may both start the host: follow once.
        if (_options.Alias is not null && Interlocked.Exchange(ref _started, 1) == 0)
        {
            _registry.AliasMoved += OnAliasMoved;
            _follower = Task.Run(() => FollowAsync(_stopping.Token), CancellationToken.None);
        }

        if (_options.RequireVersionAtStart && CurrentVersion is null)
        {
            throw NotLoaded();
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken, bool force = false)
    {
        if (_pinned && !force)
        {
            return;
        }

        var target = _options.PinnedVersion is { } pinned ? $"version {pinned} of model '{Name}'" : $"alias '{_options.Alias}' of model '{Name}'";
        ModelVersion? wanted;
        try
        {
            wanted = _options.PinnedVersion is { } number
                ? await _registry.GetVersionAsync(Name, number, cancellationToken).ConfigureAwait(false)
                : await _registry.ResolveAsync($"{Name}@{_options.Alias}", cancellationToken).ConfigureAwait(false);
        }
        catch (MlOpsNotFoundException e)
        {
            _unavailable = $"{target} could not be resolved: {e.Message}";
            return;
        }

        if (wanted is null)
        {
            _unavailable = $"{target} does not exist.";
            return;
        }

        // What serves already is not loaded again; a version that failed is not tried again on every poll, the next
        // move of the alias is.
        if (Serves(wanted) || (_lastFailed is not null && wanted.Digest == _lastFailed))
        {
            return;
        }

        await SwapToAsync(wanted, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The typed error for a call that finds nothing loaded, with the reason the host knows.</summary>
    private ModelNotLoadedException NotLoaded()
    {
        if (LastLoadFailure is { } failure)
        {
            return new ModelNotLoadedException(Name, $"{failure.Version.Reference} failed at {failure.Stage}: {failure.Error.Message}", failure.Error);
        }

        return new ModelNotLoadedException(Name, Volatile.Read(ref _unavailable) ?? "the host was not started; a generic host starts it, a console app calls StartAsync.");
    }

    private void OnAliasMoved(object? sender, AliasMove move)
    {
        if (move.ModelName == Name && move.Alias == _options.Alias && move.ToVersion is not null)
        {
            // The follower loop owns the refresh: wake it rather than starting work nobody awaits.
            _aliasMoved.Release();
        }
    }

    /// <summary>
    /// Refreshes when this process moves the alias, when the store reports a move made by another process, and every
    /// poll interval (the fallback, and the only way with a store that cannot report moves).
    /// </summary>
    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        var watching = WatchAsync(cancellationToken);
        try
        {
            await PollAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await watching.ConfigureAwait(false);
        }
    }

    /// <summary>Wakes the follower for each move the store reports; a failing watch is logged and polling goes on alone.</summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var move in _registry.WatchAliasMovesAsync(cancellationToken).ConfigureAwait(false))
            {
                OnAliasMoved(this, move);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.WatchFailed(_logger, e, Name);
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using (var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    var delay = Task.Delay(_options.PollInterval, _time, poll.Token);
                    var moved = _aliasMoved.WaitAsync(poll.Token);
                    await Task.WhenAny(delay, moved).ConfigureAwait(false);
                    await poll.CancelAsync().ConfigureAwait(false);
                    await Task.WhenAll(delay, moved).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                    if (moved.IsCompletedSuccessfully)
                    {
                        // Several moves in a row need one refresh.
                        while (_aliasMoved.Wait(0))
                        {
                        }
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
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
        [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Model host '{Name}' stopped watching the store for alias moves; it keeps polling.")]
        public static partial void WatchFailed(ILogger logger, Exception exception, string name);

        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Model host '{Name}' now serves version {Version} ({Digest}).")]
        public static partial void Swapped(ILogger logger, string name, int version, string digest);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Model host '{Name}' could not {Stage} version {Version}; version {Serving} keeps serving.")]
        public static partial void LoadFailed(ILogger logger, Exception exception, string name, int version, string stage, int serving);

        [LoggerMessage(EventId = 3005, Level = LogLevel.Error, Message = "Model host '{Name}' could not {Stage} version {Version} and has no other version: calls fail with ModelNotLoadedException until a version loads.")]
        public static partial void LoadFailedNothingServes(ILogger logger, Exception exception, string name, int version, string stage);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Model host '{Name}' serves version {Version} but could not record the deployment for lineage.")]
        public static partial void DeploymentNotRecorded(ILogger logger, Exception exception, string name, int version);

        [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Model host '{Name}' could not warm version {Version} up on synthetic inputs (zeros are not valid input for every model); the version serves, and its first call pays for the first run. Give a real input with WarmUpWith(...) to check the version on it.")]
        public static partial void SyntheticWarmUpFailed(ILogger logger, Exception exception, string name, int version);

        [LoggerMessage(EventId = 3006, Level = LogLevel.Error, Message = "Model host '{Name}' was disposed while a prediction observer had not returned for {Timeout}; it is abandoned.")]
        public static partial void ObserverAbandoned(ILogger logger, string name, TimeSpan timeout);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Model host '{Name}' could not ask the registry where its alias points; it will ask again.")]
        public static partial void PollFailed(ILogger logger, Exception exception, string name);
    }
}
