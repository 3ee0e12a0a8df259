using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Monitoring;

/// <summary>What the host implements to retrain when an alert fires: train on the window, register, attach as a shadow.</summary>
public interface IRetrainHook<TIn>
{
    /// <summary>Retrains. Runs in the background; one retraining at a time per trigger.</summary>
    Task RetrainAsync(RetrainRequest<TIn> request, CancellationToken cancellationToken);
}

/// <summary>Why and on what to retrain.</summary>
/// <param name="Alert">The alert that fired.</param>
/// <param name="Window">The rows of the window that made it fire.</param>
/// <param name="ServingVersion">The version serving when it fired.</param>
public sealed record RetrainRequest<TIn>(Alert Alert, IReadOnlyList<TIn> Window, ModelVersion? ServingVersion);

/// <summary>
/// Calls a retrain hook when an alert fires, with the monitor's last window and the serving version; a firing that
/// arrives while a retraining runs is skipped (and logged), so a storm of alerts never stacks trainings. A hook that
/// throws is logged and counted (<c>mlops.monitoring.callback_errors</c>) and the next firing calls it again; one that
/// ignores cancellation is waited for at most <see cref="StopTimeout"/> on disposal.
/// </summary>
public sealed partial class RetrainTrigger<TIn> : IAsyncDisposable, IDisposable
{
    private readonly DriftMonitor<TIn> _monitor;
    private readonly IRetrainHook<TIn> _hook;
    private readonly Func<ModelVersion?> _serving;
    private readonly AlertEngine _alerts;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private const string HookBoundary = "RetrainHook";
    private readonly CallbackGuard _callbacks;
    private Task _running = Task.CompletedTask;

    /// <summary>Calls <paramref name="hook"/> on each firing of <paramref name="alerts"/>.</summary>
    public RetrainTrigger(AlertEngine alerts, DriftMonitor<TIn> monitor, IRetrainHook<TIn> hook, Func<ModelVersion?> serving, ILogger? logger = null)
        : this(alerts, monitor, hook, serving, logger, MonitoringTelemetry.Shared)
    {
    }

    internal RetrainTrigger(AlertEngine alerts, DriftMonitor<TIn> monitor, IRetrainHook<TIn> hook, Func<ModelVersion?> serving, ILogger? logger, MonitoringTelemetry telemetry)
    {
        _callbacks = new CallbackGuard(telemetry.CallbackErrors, logger ?? NullLogger.Instance, Timeout.InfiniteTimeSpan);
        (_alerts, _monitor, _hook, _serving) = (alerts, monitor, hook, serving);
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentNullException.ThrowIfNull(serving);
        if (!monitor.KeepsRows)
        {
            throw new ArgumentException("The retrain hook gets the window's rows: create the monitor with DriftOptions.KeepRows = true.", nameof(monitor));
        }

        _logger = logger ?? NullLogger.Instance;
        alerts.Changed += OnAlert;
    }

    /// <summary>The retraining running now (or the last one): await it to know when it is done. It never faults.</summary>
    public Task Running => Volatile.Read(ref _running);

    /// <summary>How long disposal waits for a hook that ignores its cancellation.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Stops calling the hook, cancels a retraining that runs and waits for it at most <see cref="StopTimeout"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        _alerts.Changed -= OnAlert;
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Running.WaitAsync(StopTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _callbacks.Count(HookBoundary, "timeout");
            Log.Abandoned(_logger, StopTimeout);
        }
    }

    /// <summary>Stops calling the hook and cancels a retraining that runs, without waiting for it.</summary>
    public void Dispose()
    {
        _alerts.Changed -= OnAlert;
        _stopping.Cancel();
    }

    private void OnAlert(object? sender, Alert alert)
    {
        if (!alert.Firing)
        {
            return;
        }

        lock (_stopping)
        {
            if (!_running.IsCompleted)
            {
                Log.Skipped(_logger, alert.Rule);
                return;
            }

            var request = new RetrainRequest<TIn>(alert, _monitor.LastWindowRows, _serving());
            _running = Task.Run(() => RunAsync(request), CancellationToken.None);
        }
    }

    private async Task RunAsync(RetrainRequest<TIn> request)
    {
        try
        {
            Log.Retraining(_logger, request.Alert.Rule, request.Window.Count);
            await _hook.RetrainAsync(request, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            // The hook's failure is its own: logged and counted, never rethrown into whoever stops the trigger.
            _callbacks.Count(HookBoundary, e.GetType().Name);
            Log.Failed(_logger, e, request.Alert.Rule);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Alert '{Rule}' fired: retraining on {Rows} rows.")]
        public static partial void Retraining(ILogger logger, string rule, int rows);

        [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Alert '{Rule}' fired while a retraining runs; not starting another.")]
        public static partial void Skipped(ILogger logger, string rule);

        [LoggerMessage(EventId = 5003, Level = LogLevel.Error, Message = "Retraining after alert '{Rule}' failed.")]
        public static partial void Failed(ILogger logger, Exception exception, string rule);

        [LoggerMessage(EventId = 5004, Level = LogLevel.Error, Message = "A retraining ignored its cancellation for {Timeout}; it is left to finish on its own.")]
        public static partial void Abandoned(ILogger logger, TimeSpan timeout);
    }
}
