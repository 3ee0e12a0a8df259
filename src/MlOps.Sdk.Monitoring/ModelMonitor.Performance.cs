using System.Reflection;
using System.Runtime.InteropServices;
using MlOps.Sdk.Monitoring.Quality;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Monitoring;

/// <summary>Performance estimated before labels (<see cref="ModelMonitorOptions.EstimatePerformance"/>).</summary>
public sealed partial class ModelMonitor<TIn, TOut>
{
    /// <summary>Estimates the version's performance when asked to and its run logged a performance reference; one that cannot be read is logged.</summary>
    private async Task FollowPerformanceAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        if (_score is null)
        {
            return;
        }

        PerformanceEstimator? estimator;
        try
        {
            estimator = await ReferenceProfiles.LoadPerformanceEstimatorForVersionAsync(_tracker, version, _options.PerformanceOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.NoPerformanceReference(_logger, e, version.Reference);
            return;
        }

        if (estimator is not null)
        {
            var estimation = new PerformanceEstimationMonitor(estimator, _options.Drift.WindowSize);
            await RestoreScoresAsync(estimation, version, cancellationToken).ConfigureAwait(false);
            _estimation = (estimation, _host.Observe(new ScoreObserver(this, estimation, _score), ObserverDelivery.Queued));
        }
    }

    private string ScoresKey(ModelVersion version) => Key(version) + "/scores";

    /// <summary>Continues the open window of scores an earlier process saved; one that cannot be read costs those scores only.</summary>
    private async Task RestoreScoresAsync(PerformanceEstimationMonitor estimation, ModelVersion version, CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            return;
        }

        try
        {
            if (await _store.GetAsync(ScoresKey(version), cancellationToken).ConfigureAwait(false) is { Length: > 0 } bytes && bytes.Length % sizeof(double) == 0)
            {
                estimation.Restore(MemoryMarshal.Cast<byte, double>(bytes));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RestoreFailed(_logger, e, version.Reference);
        }
    }

    /// <summary>Saves the open window of scores (raw little-endian doubles).</summary>
    private async Task CheckpointScoresAsync(State.StateStore store, ModelVersion version, CancellationToken cancellationToken)
    {
        if (_estimation is { } estimation)
        {
            await store.PutAsync(ScoresKey(version), MemoryMarshal.AsBytes(estimation.Monitor.OpenWindow.AsSpan()).ToArray(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Hands an estimate to the history and, on the window loop, to the alerts.</summary>
    private void OnEstimated(PerformanceEstimate estimate)
    {
        History.Add(estimate, _time.GetUtcNow());
        if (_store is not null)
        {
            _work.Writer.TryWrite(null);
        }

        if (!_windows.Writer.TryWrite(estimate) && !_windows.Reader.Completion.IsCompleted)
        {
            _callbacks.Count(nameof(WindowClosed), "backlog");
        }
    }

    /// <summary>The output's score property (float, double, int, long or their nullable forms; null as NaN), read by a compiled accessor; checked when the monitor is made.</summary>
    private static Func<TOut, double>? ScoreOf(string? name)
    {
        if (name is null)
        {
            return null;
        }

        var property = typeof(TOut).GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
        var type = property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (property is not { CanRead: true } || (type != typeof(float) && type != typeof(double) && type != typeof(int) && type != typeof(long)))
        {
            throw new ArgumentException($"{typeof(TOut).Name} has no readable numeric property '{name}' to estimate performance from.", nameof(name));
        }

        var get = FeatureExtractor<TOut>.Getter<double?>(property);
        return output => get(output) ?? double.NaN;
    }

    /// <summary>
    /// Feeds each prediction's score to the estimation, off the prediction's path; a score it cannot take, or a getter
    /// that throws, is counted and skipped.
    /// </summary>
    private sealed class ScoreObserver(ModelMonitor<TIn, TOut> owner, PerformanceEstimationMonitor estimation, Func<TOut, double> score) : IPredictionObserver<TIn, TOut>
    {
        public void OnPrediction(TIn input, TOut output, ModelVersion version)
        {
            PerformanceEstimate? estimate;
            try
            {
                estimate = estimation.Observe(score(output));
            }
            catch (Exception)
            {
                owner._telemetry.RowsFailed.Add(1);
                return;
            }

            if (estimate is not null)
            {
                owner.OnEstimated(estimate);
            }
        }
    }
}
