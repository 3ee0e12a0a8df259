using System.Globalization;
using System.Reflection;
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
            _estimation = (estimation, _host.Observe(new ScoreObserver(this, estimation, _score), ObserverDelivery.Queued));
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

    /// <summary>The output's score property, read as a number; checked when the monitor is made.</summary>
    private static Func<TOut, double>? ScoreOf(string? name)
    {
        if (name is null)
        {
            return null;
        }

        var property = typeof(TOut).GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
        if (property is not { CanRead: true } || Type.GetTypeCode(property.PropertyType) is < TypeCode.SByte or > TypeCode.Decimal)
        {
            throw new ArgumentException($"{typeof(TOut).Name} has no readable numeric property '{name}' to estimate performance from.", nameof(name));
        }

        return output => Convert.ToDouble(property.GetValue(output), CultureInfo.InvariantCulture);
    }

    /// <summary>Feeds each prediction's score to the estimation, off the prediction's path; a score it cannot take is counted and skipped.</summary>
    private sealed class ScoreObserver(ModelMonitor<TIn, TOut> owner, PerformanceEstimationMonitor estimation, Func<TOut, double> score) : IPredictionObserver<TIn, TOut>
    {
        public void OnPrediction(TIn input, TOut output, ModelVersion version)
        {
            PerformanceEstimate? estimate;
            try
            {
                estimate = estimation.Observe(score(output));
            }
            catch (Exception e) when (e is MlOpsValidationException or TargetInvocationException)
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
