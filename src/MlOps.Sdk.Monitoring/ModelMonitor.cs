using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MlOps.Sdk.Monitoring.Quality;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Monitoring;

/// <summary>
/// Monitors one model host: a drift monitor against the reference profile of the version serving now (logged with its
/// training run), replaced when the host swaps to another version; alerts; and the host's retrain hook, if it
/// registered one (<see cref="IRetrainHook{TIn}"/>). Registered by <c>AddMonitoring</c> and started with the host.
/// </summary>
/// <remarks>
/// One background loop owns all of the monitor's work (following a swap, saving the open window): it is awaited on
/// disposal, and a failure in it (a store that cannot be read, a reference that cannot be loaded) is logged and the
/// loop goes on with the next swap.
/// </remarks>
public sealed partial class ModelMonitor<TIn, TOut> : IAsyncDisposable, IDisposable
    where TOut : new()
{
    private readonly ModelHost<TIn, TOut> _host;
    private readonly ExperimentTracker _tracker;
    private readonly ModelMonitorOptions _options;
    private readonly TimeProvider _time;
    private readonly IRetrainHook<TIn>? _hook;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _switch = new(1, 1);
    private readonly State.StateStore? _store;
    private readonly string _name;
    private readonly MonitoringTelemetry _telemetry;
    private readonly CallbackGuard _callbacks;

    /// <summary>Work for the loop: a version to follow, or null to save the open window.</summary>
    private readonly Channel<ModelVersion?> _work = Channel.CreateUnbounded<ModelVersion?>(new() { SingleReader = true });
    /// <summary>
    /// Closed windows (<see cref="DriftReport"/>s and <see cref="PerformanceEstimate"/>s) on their way to the alerts and
    /// the subscribers, which run on a loop of their own.
    /// </summary>
    private readonly Channel<object> _windows = Channel.CreateBounded<object>(new BoundedChannelOptions(WindowBacklog) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Func<TOut, double>? _score;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private Task _windowLoop = Task.CompletedTask;
    private ITimer? _checkpoints;
    private (DriftMonitor<TIn> Monitor, IDisposable Watch, RetrainTrigger<TIn>? Trigger)? _current;
    private (DriftMonitor<TOut> Monitor, IDisposable Watch)? _predictions;
    private (PerformanceEstimationMonitor Monitor, IDisposable Watch)? _estimation;
    private int _disposed;
    private int _started;
    private int _skipping;

    /// <summary>How many closed windows may wait for a subscriber that is slow; later ones skip the alerts and are counted.</summary>
    private const int WindowBacklog = 64;

    internal ModelMonitor(ModelHost<TIn, TOut> host, ExperimentTracker tracker, ModelMonitorOptions options, TimeProvider time, IMeterFactory meters, IRetrainHook<TIn>? hook, State.StateStore? store, ILogger logger)
    {
        (_host, _tracker, _options, _time, _hook, _store, _logger) = (host, tracker, options, time, hook, store, logger);
        _name = host.Name;
        options.Drift.KeepRows |= hook is not null;
        _telemetry = new MonitoringTelemetry(meters);
        _callbacks = new CallbackGuard(_telemetry.CallbackErrors, logger, Timeout.InfiniteTimeSpan);
        Alerts = new AlertEngine(options.Rules, options.Alerts, time, meters, logger);
        History = new DriftHistory(options.HistorySize);
        _score = ScoreOf(options.PerformanceScore);
    }

    /// <summary>
    /// Raised with each closed window's verdicts, after the alert rules saw it, on the monitor's window loop (one window
    /// at a time). A handler that throws is logged and counted and changes nothing; one that hangs stalls this loop
    /// only: windows go on closing, and those that find 64 waiting skip the alerts and this event (counted, logged).
    /// </summary>
    public event EventHandler<DriftReport>? WindowClosed;

    /// <summary>
    /// The verdicts of the last <see cref="ModelMonitorOptions.HistorySize"/> closed windows, across versions and (with a
    /// <see cref="State.StateStore"/>) restarts; <see cref="DriftHistory.SaveHtmlAsync"/> draws them over time.
    /// </summary>
    public DriftHistory History { get; }

    /// <summary>The alerts: subscribe to <see cref="AlertEngine.Changed"/>.</summary>
    public AlertEngine Alerts { get; }

    /// <summary>The version whose reference the monitor compares with, or null before the host serves one with a profile.</summary>
    public ModelVersion? ReferenceVersion { get; private set; }

    /// <summary>The last window's verdicts.</summary>
    public DriftReport? LastReport => _current?.Monitor.LastReport;

    /// <summary>The drift monitor of the version monitored now, or null.</summary>
    public DriftMonitor<TIn>? Drift => _current?.Monitor;

    /// <summary>
    /// The prediction-drift monitor of the version monitored now: its outputs against the profile of its training run's
    /// predictions (<see cref="ReferenceProfiles.LogPredictionProfileAsync"/>); null when the run logged none. Its windows
    /// reach the alerts, <see cref="WindowClosed"/> and the <see cref="History"/> with features named <c>prediction.</c> and the output's property.
    /// </summary>
    public DriftMonitor<TOut>? PredictionDrift => _predictions?.Monitor;

    /// <summary>
    /// The performance estimation of the version monitored now (<see cref="ModelMonitorOptions.EstimatePerformance"/>),
    /// or null when not asked for or its run logged no performance reference. Its estimates reach the alerts and the
    /// <see cref="History"/>.
    /// </summary>
    public PerformanceEstimationMonitor? PerformanceEstimation => _estimation?.Monitor;

    /// <summary>Starts monitoring the version the host serves, and follows its swaps.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            // The generic host and user code may both start the monitor: follow once.
            return;
        }

        await LoadHistoryAsync(cancellationToken).ConfigureAwait(false);
        _host.Swapped += OnSwapped;
        if (_host.CurrentVersion is { } version)
        {
            await FollowAsync(version, cancellationToken).ConfigureAwait(false);
        }

        _loop = Task.Run(RunAsync, CancellationToken.None);
        _windowLoop = Task.Run(RaiseWindowsAsync, CancellationToken.None);
        if (_store is not null && _options.CheckpointInterval is { } interval)
        {
            _checkpoints = _time.CreateTimer(static state => ((Channel<ModelVersion?>)state!).Writer.TryWrite(null), _work, interval, interval);
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

    /// <summary>Stops following, waits for the loop, saves the open window and stops the retrain trigger.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _host.Swapped -= OnSwapped;
        if (_checkpoints is not null)
        {
            await _checkpoints.DisposeAsync().ConfigureAwait(false);
        }

        _work.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        await _switch.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopCurrentAsync().ConfigureAwait(false);
        }
        finally
        {
            _switch.Release();
        }

        _windows.Writer.TryComplete();
        try
        {
            // A subscriber that hangs has been logged as it missed windows; it is not waited for beyond this.
            await _windowLoop.WaitAsync(_options.CallbackTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _callbacks.Count(nameof(WindowClosed), "timeout");
        }

        _stopping.Dispose();
    }

    /// <summary>
    /// For containers disposed synchronously: stops following and capturing and cancels a running retraining, without
    /// blocking on them; the open window is not saved (dispose asynchronously, or stop the host, to save it).
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _host.Swapped -= OnSwapped;
        _checkpoints?.Dispose();
        _stopping.Cancel();
        _work.Writer.TryComplete();
        _windows.Writer.TryComplete();
        if (_current is { } current)
        {
            current.Watch.Dispose();
            current.Monitor.Dispose();
            current.Trigger?.Dispose();
        }

        _predictions?.Watch.Dispose();
        _predictions?.Monitor.Dispose();
        _estimation?.Watch.Dispose();
    }

    private void OnSwapped(object? sender, ModelVersion version) => _work.Writer.TryWrite(version);

    /// <summary>Hands a closed window to the window loop; never waits, so a slow subscriber never holds a thread-pool thread per window.</summary>
    private void OnWindowClosed(DriftReport report)
    {
        History.Add(report, _time.GetUtcNow());
        if (_store is not null)
        {
            // The history (and the open window, just emptied) is saved on the monitor's loop.
            _work.Writer.TryWrite(null);
        }

        if (!_windows.Writer.TryWrite(report) && !_windows.Reader.Completion.IsCompleted)
        {
            _callbacks.Count(nameof(WindowClosed), "backlog");
            if (Interlocked.Exchange(ref _skipping, 1) == 0)
            {
                Log.WindowsSkipped(_logger, WindowBacklog);
            }
        }
    }

    /// <summary>
    /// Applies the alert rules to each closed window and raises <see cref="WindowClosed"/>, one window at a time: alert
    /// and window subscribers (user code) run here, so one that hangs stalls alerting for this monitor, never the
    /// windows themselves, the swaps it follows or the predictions.
    /// </summary>
    private async Task RaiseWindowsAsync()
    {
        await foreach (var window in _windows.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (window is PerformanceEstimate estimate)
            {
                Alerts.Observe(estimate.ToQualityReport());
                continue;
            }

            var report = (DriftReport)window;
            Alerts.Observe(report);
            _callbacks.Raise(nameof(WindowClosed), WindowClosed, this, report);
            Volatile.Write(ref _skipping, 0);
        }
    }

    /// <summary>The monitor's one background loop: follows swaps and saves the open window, in order.</summary>
    private async Task RunAsync()
    {
        try
        {
            await foreach (var version in _work.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                if (version is null)
                {
                    await CheckpointAsync(_stopping.Token).ConfigureAwait(false);
                }
                else
                {
                    await FollowAsync(version, _stopping.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposed synchronously.
        }
    }

    /// <summary>Monitors <paramref name="version"/> from now on; never throws but for cancellation: what fails is logged.</summary>
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
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.NoReference(_logger, e, version.Reference);
                await StopCurrentAsync().ConfigureAwait(false);
                ReferenceVersion = null;
                return;
            }

            await StopCurrentAsync().ConfigureAwait(false);
            var monitor = new DriftMonitor<TIn>(reference, _options.Drift, _time, _logger, _telemetry);
            await RestoreAsync(monitor, Key(version), version, cancellationToken).ConfigureAwait(false);
            monitor.WindowClosed += (_, report) => OnWindowClosed(report);
            var trigger = _hook is null
                ? null
                : new RetrainTrigger<TIn>(Alerts, monitor, _hook, () => _host.CurrentVersion, _logger, _telemetry) { StopTimeout = _options.RetrainStopTimeout };
            _current = (monitor, monitor.Watch(_host), trigger);
            await FollowPredictionsAsync(version, cancellationToken).ConfigureAwait(false);
            await FollowPerformanceAsync(version, cancellationToken).ConfigureAwait(false);
            ReferenceVersion = version;
            Log.Following(_logger, version.Reference);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.FollowFailed(_logger, e, version.Reference);
        }
        finally
        {
            _switch.Release();
        }
    }

    /// <summary>Watches the version's outputs too, when its run logged the profile of its predictions; a profile that cannot be read is logged.</summary>
    private async Task FollowPredictionsAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        ReferenceProfile? profile;
        try
        {
            profile = await ReferenceProfiles.LoadPredictionsForVersionAsync(_tracker, version, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.NoPredictionProfile(_logger, e, version.Reference);
            return;
        }

        if (profile is not null)
        {
            var outputs = new DriftMonitor<TOut>(profile, _options.Drift.ForOtherFeatures(), _time, _logger, _telemetry);
            await RestoreAsync(outputs, PredictionKey(version), version, cancellationToken).ConfigureAwait(false);
            outputs.WindowClosed += (_, report) => OnWindowClosed(report with { Features = [.. report.Features.Select(f => f with { Feature = "prediction." + f.Feature })] });
            _predictions = (outputs, outputs.WatchPredictions(_host));
        }
    }

    /// <summary>Continues the window saved by an earlier process; a store that cannot be read costs the saved rows, not the monitoring.</summary>
    private async Task RestoreAsync<T>(DriftMonitor<T> monitor, string key, ModelVersion version, CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            return;
        }

        try
        {
            var restored = await monitor.RestoreAsync(_store, key, cancellationToken).ConfigureAwait(false);
            if (restored > 0)
            {
                Log.Restored(_logger, restored, version.Reference);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RestoreFailed(_logger, e, version.Reference);
        }
    }

    private static string KeyFor(string name, ModelVersion version) => $"mlops/monitoring/{name}/{version.Number}";

    private string Key(ModelVersion version) => KeyFor(_name, version);

    private string PredictionKey(ModelVersion version) => Key(version) + "/predictions";

    private string HistoryKey => $"mlops/monitoring/{_name}/history";

    /// <summary>Continues the history an earlier process saved; one that cannot be read is logged and started afresh.</summary>
    private async Task LoadHistoryAsync(CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            return;
        }

        try
        {
            await History.LoadAsync(_store, HistoryKey, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.HistoryFailed(_logger, e, _name);
        }
    }

    /// <summary>Saves the drift history and the open windows (inputs, predictions, scores being estimated) of the version monitored now; a failure is logged, never thrown at the host.</summary>
    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            return;
        }

        try
        {
            await History.SaveAsync(_store, HistoryKey, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.HistoryFailed(_logger, e, _name);
        }

        if (_current is not { } current || ReferenceVersion is not { } version)
        {
            return;
        }

        try
        {
            await current.Monitor.CheckpointAsync(_store, Key(version), cancellationToken).ConfigureAwait(false);
            if (_predictions is { } predictions)
            {
                await predictions.Monitor.CheckpointAsync(_store, PredictionKey(version), cancellationToken).ConfigureAwait(false);
            }

            await CheckpointScoresAsync(_store, version, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.CheckpointFailed(_logger, e, version.Reference);
        }
    }

    private async Task StopCurrentAsync()
    {
        // Every row predicted so far reaches the windows before they are saved.
        if (_current is { Watch: IAsyncDisposable inputs })
        {
            await inputs.DisposeAsync().ConfigureAwait(false);
        }

        if (_predictions is { Watch: IAsyncDisposable outputs })
        {
            await outputs.DisposeAsync().ConfigureAwait(false);
        }

        if (_estimation is { Watch: IAsyncDisposable scores })
        {
            await scores.DisposeAsync().ConfigureAwait(false);
        }

        await SaveAsync(CancellationToken.None).ConfigureAwait(false);
        _estimation?.Watch.Dispose();
        _estimation = null;
        if (_predictions is { } predictions)
        {
            predictions.Watch.Dispose();
            predictions.Monitor.Dispose();
            _predictions = null;
        }

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

        [LoggerMessage(EventId = 5105, Level = LogLevel.Warning, Message = "Could not read the open window saved for {Version}; monitoring starts with an empty window.")]
        public static partial void RestoreFailed(ILogger logger, Exception exception, string version);

        [LoggerMessage(EventId = 5106, Level = LogLevel.Error, Message = "Could not start monitoring {Version}; the next swap is followed as usual.")]
        public static partial void FollowFailed(ILogger logger, Exception exception, string version);

        [LoggerMessage(EventId = 5107, Level = LogLevel.Warning, Message = "{Backlog} closed windows wait for the alert or WindowClosed subscribers; windows skip them until they catch up (their verdicts are in LastReport).")]
        public static partial void WindowsSkipped(ILogger logger, int backlog);

        [LoggerMessage(EventId = 5109, Level = LogLevel.Warning, Message = "Could not read the prediction profile of {Version}; its outputs are not monitored for drift.")]
        public static partial void NoPredictionProfile(ILogger logger, Exception exception, string version);

        [LoggerMessage(EventId = 5108, Level = LogLevel.Warning, Message = "Could not read or save the drift history of {Model}; windows are still kept in memory and saving is tried again.")]
        public static partial void HistoryFailed(ILogger logger, Exception exception, string model);

        [LoggerMessage(EventId = 5110, Level = LogLevel.Warning, Message = "Could not read the performance reference of {Version}; its performance is not estimated.")]
        public static partial void NoPerformanceReference(ILogger logger, Exception exception, string version);
    }
}
