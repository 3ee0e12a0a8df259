using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Monitoring;

/// <summary>
/// Monitors one model host: a drift monitor against the reference profile of the version serving now (logged with its
/// training run), replaced when the host swaps to another version; alerts; and the host's retrain hook, if it
/// registered one (<see cref="IRetrainHook{TIn}"/>). Registered by <c>AddMonitoring</c> and started with the host.
/// </summary>
public sealed partial class ModelMonitor<TIn, TOut> : IAsyncDisposable
    where TOut : new()
{
    private readonly IModelHost<TIn, TOut> _host;
    private readonly IExperimentTracker _tracker;
    private readonly ModelMonitorOptions _options;
    private readonly TimeProvider _time;
    private readonly IRetrainHook<TIn>? _hook;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _switch = new(1, 1);
    private readonly State.StateStore? _store;
    private readonly string _name;
    private ITimer? _checkpoints;
    private (DriftMonitor<TIn> Monitor, IDisposable Watch, RetrainTrigger<TIn>? Trigger)? _current;

    internal ModelMonitor(IModelHost<TIn, TOut> host, IExperimentTracker tracker, ModelMonitorOptions options, TimeProvider time, IMeterFactory meters, IRetrainHook<TIn>? hook, State.StateStore? store, ILogger logger)
    {
        (_host, _tracker, _options, _time, _hook, _store, _logger) = (host, tracker, options, time, hook, store, logger);
        _name = host.Name;
        options.Drift.KeepRows |= hook is not null;
        Alerts = new AlertEngine(options.Rules, options.Alerts, time, meters, logger);
    }

    /// <summary>Raised with each closed window's verdicts.</summary>
    public event EventHandler<DriftReport>? WindowClosed;

    /// <summary>The alerts: subscribe to <see cref="AlertEngine.Changed"/>.</summary>
    public AlertEngine Alerts { get; }

    /// <summary>The version whose reference the monitor compares with, or null before the host serves one with a profile.</summary>
    public ModelVersion? ReferenceVersion { get; private set; }

    /// <summary>The last window's verdicts.</summary>
    public DriftReport? LastReport => _current?.Monitor.LastReport;

    /// <summary>Starts monitoring the version the host serves, and follows its swaps.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _host.Swapped += OnSwapped;
        if (_host.CurrentVersion is { } version)
        {
            await FollowAsync(version, cancellationToken).ConfigureAwait(false);
        }

        if (_store is not null && _options.CheckpointInterval is { } interval)
        {
            _checkpoints = _time.CreateTimer(_ => _ = CheckpointAsync(), null, interval, interval);
        }
    }

    /// <summary>Saves the open window now (it is also saved periodically and on stop).</summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken = default)
    {
        if (_store is null)
        {
            return;
        }

        await _switch.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SaveAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _switch.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _host.Swapped -= OnSwapped;
        if (_checkpoints is not null)
        {
            await _checkpoints.DisposeAsync().ConfigureAwait(false);
        }

        await _switch.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopCurrentAsync().ConfigureAwait(false);
        }
        finally
        {
            _switch.Release();
        }

        _switch.Dispose();
    }

    private void OnSwapped(object? sender, ModelVersion version) => _ = Task.Run(() => FollowAsync(version, CancellationToken.None));

    private async Task FollowAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        await _switch.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ReferenceProfile reference;
            try
            {
                reference = await ReferenceProfiles.LoadForVersionAsync(_tracker, version, cancellationToken).ConfigureAwait(false);
            }
            catch (MlOpsException e)
            {
                Log.NoReference(_logger, e, version.Reference);
                await StopCurrentAsync().ConfigureAwait(false);
                ReferenceVersion = null;
                return;
            }

            await StopCurrentAsync().ConfigureAwait(false);
            var monitor = new DriftMonitor<TIn>(reference, _options.Drift, _time);
            if (_store is not null)
            {
                var restored = await monitor.RestoreAsync(_store, Key(version), cancellationToken).ConfigureAwait(false);
                Log.Restored(_logger, restored, version.Reference);
            }

            monitor.WindowClosed += (_, report) =>
            {
                Alerts.Observe(report);
                WindowClosed?.Invoke(this, report);
            };
            var trigger = _hook is null ? null : new RetrainTrigger<TIn>(Alerts, monitor, _hook, () => _host.CurrentVersion, _logger);
            _current = (monitor, monitor.Watch(_host), trigger);
            ReferenceVersion = version;
            Log.Following(_logger, version.Reference);
        }
        finally
        {
            _switch.Release();
        }
    }

    private static string KeyFor(string name, ModelVersion version) => $"mlops/monitoring/{name}/{version.Number}";

    private string Key(ModelVersion version) => KeyFor(_name, version);

    /// <summary>Saves the open window of the version monitored now; a failure is logged, never thrown at the host.</summary>
    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        if (_store is null || _current is not { } current || ReferenceVersion is not { } version)
        {
            return;
        }

        try
        {
            await current.Monitor.CheckpointAsync(_store, Key(version), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.CheckpointFailed(_logger, e, version.Reference);
        }
    }

    private async Task StopCurrentAsync()
    {
        await SaveAsync(CancellationToken.None).ConfigureAwait(false);
        if (_current is { } current)
        {
            current.Watch.Dispose();
            current.Monitor.Dispose();
            if (current.Trigger is not null)
            {
                await current.Trigger.DisposeAsync().ConfigureAwait(false);
            }

            _current = null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Monitoring drift against the reference profile of {Version}.")]
        public static partial void Following(ILogger logger, string version);

        [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "Continued the open window of {Version} with {Rows} rows saved before the restart.")]
        public static partial void Restored(ILogger logger, int rows, string version);

        [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "Could not save the open window of {Version}; it will be tried again.")]
        public static partial void CheckpointFailed(ILogger logger, Exception exception, string version);

        [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "{Version} has no reference profile; drift is not monitored until a version with one serves.")]
        public static partial void NoReference(ILogger logger, Exception exception, string version);
    }
}
