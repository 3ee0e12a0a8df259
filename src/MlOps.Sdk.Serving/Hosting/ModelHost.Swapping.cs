using Microsoft.Extensions.Logging;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Serving.Hosting;

/// <summary>Swapping: loading, verifying and warming up a version, following the alias, pinning and rolling back.</summary>
internal sealed partial class ModelHost<TIn, TOut>
{
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
