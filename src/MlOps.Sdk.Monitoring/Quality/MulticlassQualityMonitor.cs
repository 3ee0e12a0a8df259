namespace MlOps.Sdk.Monitoring.Quality;

/// <summary>
/// A classifier of several classes: a prediction is its class (0 to <c>classes</c> − 1) and, optionally, its
/// probabilities per class; a label is the true class. Each window reports accuracy, precision, recall and F1 averaged
/// macro and weighted (<c>precision_macro</c>, <c>f1_weighted</c>, ...), the confusion matrix, and — when every
/// prediction of the window came with probabilities — <c>log_loss</c> and one-vs-rest <c>roc_auc_macro</c> and
/// <c>roc_auc_weighted</c> (when every class occurs among the labels), as scikit-learn computes them.
/// </summary>
/// <param name="classes">The number of classes (at least 2).</param>
/// <param name="windowSize">Labelled predictions per window.</param>
/// <param name="pendingCapacity">Predictions that may wait for a label at once.</param>
/// <param name="detector">The detector on the stream of errors (1) and successes (0); by default <see cref="Ddm"/>.</param>
public sealed class MulticlassQualityMonitor(int classes, int windowSize = 1_000, int pendingCapacity = 100_000, IDriftDetector? detector = null)
    : QualityMonitor<(int Predicted, double[]? Probabilities), int>(windowSize, pendingCapacity, detector ?? new Ddm())
{
    private readonly int _classes = classes >= 2 ? classes : throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier has at least two classes.");

    /// <inheritdoc />
    protected override double Error((int Predicted, double[]? Probabilities) prediction, int label) => prediction.Predicted == label ? 0 : 1;

    /// <inheritdoc />
    protected override void CheckPrediction((int Predicted, double[]? Probabilities) prediction)
    {
        CheckLabel(prediction.Predicted);
        if (prediction.Probabilities is { } p && p.Length != _classes)
        {
            throw new MlOpsValidationException($"A prediction's probabilities hold one value per class ({_classes}), not {p.Length}.");
        }
    }

    /// <inheritdoc />
    protected override void CheckLabel(int label)
    {
        if (label < 0 || label >= _classes)
        {
            throw new MlOpsValidationException($"Class {label} is outside 0 to {_classes - 1}.");
        }
    }

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, double> Measure(IReadOnlyList<((int Predicted, double[]? Probabilities) Prediction, int Label)> window)
    {
        int[] labels = [.. window.Select(w => w.Label)];
        int[] predicted = [.. window.Select(w => w.Prediction.Predicted)];
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["accuracy"] = QualityMetrics.Accuracy(labels, predicted) };
        foreach (var (averaging, suffix) in new[] { (Averaging.Macro, "macro"), (Averaging.Weighted, "weighted") })
        {
            var (precision, recall, f1) = QualityMetrics.PrecisionRecallF1(labels, predicted, averaging);
            (metrics[$"precision_{suffix}"], metrics[$"recall_{suffix}"], metrics[$"f1_{suffix}"]) = (precision, recall, f1);
        }

        if (window.All(w => w.Prediction.Probabilities is not null))
        {
            var probabilities = new double[window.Count, _classes];
            for (var i = 0; i < window.Count; i++)
            {
                for (var c = 0; c < _classes; c++)
                {
                    probabilities[i, c] = window[i].Prediction.Probabilities![c];
                }
            }

            metrics["log_loss"] = QualityMetrics.LogLoss(labels, probabilities);
            if (labels.Distinct().Count() == _classes)
            {
                metrics["roc_auc_macro"] = QualityMetrics.RocAucOneVsRest(labels, probabilities, Averaging.Macro);
                metrics["roc_auc_weighted"] = QualityMetrics.RocAucOneVsRest(labels, probabilities, Averaging.Weighted);
            }
        }

        return metrics;
    }

    /// <inheritdoc />
    protected override long[,] Confusion(IReadOnlyList<((int Predicted, double[]? Probabilities) Prediction, int Label)> window) =>
        QualityMetrics.ConfusionMatrix([.. window.Select(w => w.Label)], [.. window.Select(w => w.Prediction.Predicted)], _classes);
}
