namespace MlOps.Sdk.Monitoring.Quality;

/// <summary>
/// Estimates a binary classifier's quality per window of scores, before any label arrives (<see cref="PerformanceEstimator"/>),
/// and keeps the last windows' estimates. Alert on them by passing <see cref="PerformanceEstimate.ToQualityReport"/>
/// to an <see cref="AlertEngine"/> with rules such as <c>AlertRule.Quality("estimated_accuracy", 0.9)</c>; compare them
/// with realised quality by <see cref="PerformanceEstimate.Compare"/>. Thread-safe.
/// </summary>
/// <param name="estimator">The estimator calibrated on the reference.</param>
/// <param name="windowSize">Scores per window.</param>
/// <param name="historySize">Estimates kept, the oldest dropped first.</param>
public sealed class PerformanceEstimationMonitor(PerformanceEstimator estimator, int windowSize = 1_000, int historySize = 100)
{
    private readonly PerformanceEstimator _estimator = estimator ?? throw new ArgumentNullException(nameof(estimator));
    private readonly int _windowSize = windowSize >= 1 ? windowSize : throw new ArgumentOutOfRangeException(nameof(windowSize), windowSize, "A window holds at least one score.");
    private readonly int _historySize = historySize >= 1 ? historySize : throw new ArgumentOutOfRangeException(nameof(historySize), historySize, "At least one estimate is kept.");
    private readonly Lock _sync = new();
    private readonly List<double> _window = [];
    private readonly Queue<PerformanceEstimate> _history = new();

    /// <summary>The last windows' estimates, oldest first.</summary>
    public IReadOnlyList<PerformanceEstimate> History
    {
        get
        {
            lock (_sync)
            {
                return [.. _history];
            }
        }
    }

    /// <summary>The scores of the open window, oldest first: what a checkpoint saves.</summary>
    public double[] OpenWindow
    {
        get
        {
            lock (_sync)
            {
                return [.. _window];
            }
        }
    }

    /// <summary>
    /// Continues the open window an earlier process saved (<see cref="OpenWindow"/>): call it before the first
    /// <see cref="Observe"/>. Scores that are not finite, and any beyond one window less one, are left out.
    /// </summary>
    /// <returns>The number of scores restored.</returns>
    /// <exception cref="InvalidOperationException">Scores were already observed in the open window.</exception>
    public int Restore(ReadOnlySpan<double> scores)
    {
        lock (_sync)
        {
            if (_window.Count != 0)
            {
                throw new InvalidOperationException("Restore the open window before observing any score.");
            }

            foreach (var score in scores)
            {
                if (double.IsFinite(score) && _window.Count < _windowSize - 1)
                {
                    _window.Add(score);
                }
            }

            return _window.Count;
        }
    }

    /// <summary>Adds a prediction's score; the estimate of the window it completes, or null.</summary>
    /// <exception cref="MlOpsValidationException">The score is not finite (it is not added).</exception>
    public PerformanceEstimate? Observe(double score)
    {
        if (!double.IsFinite(score))
        {
            throw new MlOpsValidationException($"A score is {score}: estimates take finite scores only.");
        }

        double[] full;
        lock (_sync)
        {
            _window.Add(score);
            if (_window.Count < _windowSize)
            {
                return null;
            }

            full = [.. _window];
            _window.Clear();
        }

        var estimate = _estimator.Estimate(full);
        lock (_sync)
        {
            _history.Enqueue(estimate);
            while (_history.Count > _historySize)
            {
                _history.Dequeue();
            }
        }

        return estimate;
    }
}
