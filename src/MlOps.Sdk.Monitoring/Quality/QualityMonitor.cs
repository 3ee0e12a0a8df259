using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MlOps.Sdk.Monitoring.Quality;

/// <summary>
/// Joins predictions with labels that arrive later, by a key (a request or transaction id), and reports quality per
/// window of labelled predictions; every labelled prediction also feeds a concept-drift detector on the error stream.
/// Predictions wait at most <c>pendingCapacity</c> at a time: past that, new ones are not tracked (and counted), so a
/// label source that stopped never grows memory without bound. Thread-safe.
/// </summary>
/// <typeparam name="TPrediction">What is kept of a prediction.</typeparam>
/// <typeparam name="TLabel">The label's type.</typeparam>
public abstract class QualityMonitor<TPrediction, TLabel>
{
    private readonly ConcurrentDictionary<string, TPrediction> _pending = new(StringComparer.Ordinal);
    private readonly object _sync = new();
    private readonly int _windowSize;
    private readonly int _pendingCapacity;
    private readonly IDriftDetector _detector;
    private readonly List<(TPrediction Prediction, TLabel Label)> _window;
    private CallbackGuard? _callbacks;
    private int _alarms;
    private long _untracked;

    /// <summary>Creates a monitor.</summary>
    protected QualityMonitor(int windowSize, int pendingCapacity, IDriftDetector detector)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pendingCapacity, 1);
        ArgumentNullException.ThrowIfNull(detector);
        (_windowSize, _pendingCapacity, _detector) = (windowSize, pendingCapacity, detector);
        _window = new List<(TPrediction, TLabel)>(windowSize);
    }

    /// <summary>
    /// Raised (on the thread whose label completed it) with each full window's quality. A subscriber that throws is
    /// logged to <see cref="Logger"/> and counted (<c>mlops.monitoring.callback_errors</c>); the other subscribers are
    /// still called and the label is still recorded.
    /// </summary>
    public event EventHandler<QualityReport>? WindowClosed;

    /// <summary>Raised (on the labelling thread) when the concept-drift detector fires; subscribers isolated as for <see cref="WindowClosed"/>.</summary>
    public event EventHandler<EventArgs>? DetectorAlarm;

    /// <summary>Where failing <see cref="WindowClosed"/> and <see cref="DetectorAlarm"/> subscribers are reported; none by default.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Predictions waiting for their label.</summary>
    public int Pending => _pending.Count;

    /// <summary>Predictions not tracked because <c>pendingCapacity</c> were already waiting.</summary>
    public long Untracked => Interlocked.Read(ref _untracked);

    /// <summary>Remembers a prediction until its label arrives.</summary>
    /// <returns>False if the prediction was not tracked (the key is already waiting, or too many are).</returns>
    public bool RecordPrediction(string key, TPrediction prediction)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckPrediction(prediction);
        if (_pending.Count >= _pendingCapacity)
        {
            Interlocked.Increment(ref _untracked);
            return false;
        }

        return _pending.TryAdd(key, prediction);
    }

    /// <summary>Joins a label with the prediction of the same key.</summary>
    /// <returns>False if no prediction of that key is waiting (never made, not tracked, or already labelled).</returns>
    public bool RecordLabel(string key, TLabel label)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckLabel(label);
        if (!_pending.TryRemove(key, out var prediction))
        {
            return false;
        }

        QualityReport? report = null;
        var alarm = false;
        lock (_sync)
        {
            _detector.Update(Error(prediction, label));
            if (_detector.DriftDetected)
            {
                _alarms++;
                alarm = true;
            }

            _window.Add((prediction, label));
            if (_window.Count == _windowSize)
            {
                report = new QualityReport(_window.Count, Measure(_window), _alarms) { ConfusionMatrix = Confusion(_window) };
                _window.Clear();
                _alarms = 0;
            }
        }

        var callbacks = LazyInitializer.EnsureInitialized(ref _callbacks, () => new CallbackGuard(MonitoringTelemetry.Shared.CallbackErrors, Logger, Timeout.InfiniteTimeSpan));
        if (alarm)
        {
            callbacks.Raise(nameof(DetectorAlarm), DetectorAlarm, this, EventArgs.Empty);
        }

        if (report is not null)
        {
            callbacks.Raise(nameof(WindowClosed), WindowClosed, this, report);
        }

        return true;
    }

    /// <summary>The value the detector sees for one labelled prediction (an error indicator, or an absolute error).</summary>
    protected abstract double Error(TPrediction prediction, TLabel label);

    /// <summary>The window's metrics.</summary>
    protected abstract IReadOnlyDictionary<string, double> Measure(IReadOnlyList<(TPrediction Prediction, TLabel Label)> window);

    /// <summary>The window's confusion matrix, for classifiers; null by default.</summary>
    protected virtual long[,]? Confusion(IReadOnlyList<(TPrediction Prediction, TLabel Label)> window) => null;

    /// <summary>Refuses a prediction the metrics could not take, before it is kept; accepts all by default.</summary>
    /// <exception cref="MlOpsValidationException">The prediction is not valid.</exception>
    protected virtual void CheckPrediction(TPrediction prediction)
    {
    }

    /// <summary>Refuses a label the metrics could not take, before it is joined; accepts all by default.</summary>
    /// <exception cref="MlOpsValidationException">The label is not valid.</exception>
    protected virtual void CheckLabel(TLabel label)
    {
    }
}

/// <summary>A binary classifier's quality: a prediction is its score (probability of the positive class) and its label.</summary>
/// <param name="windowSize">Labelled predictions per window.</param>
/// <param name="pendingCapacity">Predictions that may wait for a label at once.</param>
/// <param name="detector">The detector on the stream of errors (1) and successes (0); by default <see cref="Ddm"/>.</param>
public sealed class ClassificationQualityMonitor(int windowSize = 1_000, int pendingCapacity = 100_000, IDriftDetector? detector = null)
    : QualityMonitor<(double Score, bool Predicted), bool>(windowSize, pendingCapacity, detector ?? new Ddm())
{
    /// <inheritdoc />
    protected override double Error((double Score, bool Predicted) prediction, bool label) => prediction.Predicted == label ? 0 : 1;

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, double> Measure(IReadOnlyList<((double Score, bool Predicted) Prediction, bool Label)> window)
    {
        var labels = window.Select(w => w.Label).ToArray();
        var predicted = window.Select(w => w.Prediction.Predicted).ToArray();
        var scores = window.Select(w => w.Prediction.Score).ToArray();
        var (precision, recall, f1) = QualityMetrics.PrecisionRecallF1(labels, predicted);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["accuracy"] = QualityMetrics.Accuracy(labels, predicted),
            ["precision"] = precision,
            ["recall"] = recall,
            ["f1"] = f1,
            ["log_loss"] = QualityMetrics.LogLoss(labels, scores),
        };
        if (labels.Contains(true) && labels.Contains(false))
        {
            metrics["roc_auc"] = QualityMetrics.RocAuc(labels, scores);
        }

        return metrics;
    }

    /// <inheritdoc />
    protected override long[,] Confusion(IReadOnlyList<((double Score, bool Predicted) Prediction, bool Label)> window) =>
        QualityMetrics.ConfusionMatrix([.. window.Select(w => w.Label ? 1 : 0)], [.. window.Select(w => w.Prediction.Predicted ? 1 : 0)], 2);
}

/// <summary>A regression model's quality: a prediction is a number, and so is its label.</summary>
/// <param name="windowSize">Labelled predictions per window.</param>
/// <param name="pendingCapacity">Predictions that may wait for a label at once.</param>
/// <param name="detector">The detector on the stream of absolute errors; by default <see cref="PageHinkley"/>.</param>
public sealed class RegressionQualityMonitor(int windowSize = 1_000, int pendingCapacity = 100_000, IDriftDetector? detector = null)
    : QualityMonitor<double, double>(windowSize, pendingCapacity, detector ?? new PageHinkley())
{
    /// <inheritdoc />
    protected override double Error(double prediction, double label) => Math.Abs(prediction - label);

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, double> Measure(IReadOnlyList<(double Prediction, double Label)> window)
    {
        var actual = window.Select(w => w.Label).ToArray();
        var predicted = window.Select(w => w.Prediction).ToArray();
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["mae"] = QualityMetrics.MeanAbsoluteError(actual, predicted),
            ["rmse"] = QualityMetrics.RootMeanSquaredError(actual, predicted),
            ["r2"] = QualityMetrics.R2(actual, predicted),
            ["mse"] = QualityMetrics.MeanSquaredError(actual, predicted),
            ["mape"] = QualityMetrics.MeanAbsolutePercentageError(actual, predicted),
        };
    }
}
