using MlOps.Sdk.Monitoring.Quality;
using MlOps.Sdk.Monitoring.Statistics;

namespace MlOps.Sdk.Testing.Quality;

/// <summary>
/// A binary classifier's predictions on labelled rows: the metrics (Monitoring's implementations, pinned to
/// scikit-learn) and their confidence intervals — Wilson for proportions, DeLong for ROC AUC, a seeded percentile
/// bootstrap for F1 and log loss.
/// </summary>
/// <typeparam name="TIn">The row type, kept for slices.</typeparam>
public sealed class BinaryEvaluation<TIn>
{
    private readonly Column<bool> _labels;
    private readonly Column<double> _scores;
    private readonly Lazy<(double Precision, double Recall, double F1)> _precisionRecallF1;
    private readonly Lazy<double> _rocAuc;
    private readonly Lazy<double> _logLoss;
    private readonly Lazy<(double Auc, double Variance)> _deLong;

    internal BinaryEvaluation(IReadOnlyList<TIn> rows, Column<bool> labels, Column<double> scores, double threshold)
    {
        Rows = rows;
        _labels = labels;
        _scores = scores;
        Threshold = threshold;
        long positives = 0, predictedPositives = 0, truePositives = 0;
        for (var s = 0; s < scores.Segments.Count; s++)
        {
            var (labelSegment, scoreSegment) = (labels.Segments[s], scores.Segments[s]);
            for (var i = 0; i < scoreSegment.Length; i++)
            {
                var (positive, predicted) = (labelSegment[i] ? 1 : 0, scoreSegment[i] >= threshold ? 1 : 0);
                positives += positive;
                predictedPositives += predicted;
                truePositives += positive & predicted;
            }
        }

        (TruePositives, FalsePositives, FalseNegatives) = (truePositives, predictedPositives - truePositives, positives - truePositives);
        TrueNegatives = scores.Count - positives - FalsePositives;
        _precisionRecallF1 = new(() => QualityMetrics.PrecisionRecallF1(TruePositives, FalsePositives, FalseNegatives));
        _logLoss = new(() => Over((l, s) => QualityMetrics.LogLoss(l, s)));
        _deLong = new(() => Over((l, s) => DeLong.Auc(l, s)));

        // DeLong's AUC is the ROC AUC from the same ranking; it takes two rows of each class, the AUC one.
        var negatives = scores.Count - positives;
        _rocAuc = new(() => positives >= 2 && negatives >= 2 ? _deLong.Value.Auc : Over((l, s) => QualityMetrics.RocAuc(l, s)));
    }

    private delegate TResult SpanMetric<out TResult>(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores);

    /// <summary>
    /// The rows, in the order evaluated: an array or a list given to <see cref="ModelEvaluation"/> is kept as it is (no
    /// copy of a large holdout; change it afterwards and slices see the change), any other sequence as a copy.
    /// </summary>
    public IReadOnlyList<TIn> Rows { get; }

    /// <summary>The labels.</summary>
    public IReadOnlyList<bool> Labels => _labels;

    /// <summary>The scores (the positive class's probability or any score that orders rows).</summary>
    public IReadOnlyList<double> Scores => _scores;

    /// <summary>A row is predicted positive when its score reaches this.</summary>
    public double Threshold { get; }

    /// <summary>The number of rows.</summary>
    public int Count => _labels.Count;

    /// <summary>Positive rows predicted positive.</summary>
    public long TruePositives { get; }

    /// <summary>Negative rows predicted positive.</summary>
    public long FalsePositives { get; }

    /// <summary>Positive rows predicted negative.</summary>
    public long FalseNegatives { get; }

    /// <summary>Negative rows predicted negative.</summary>
    public long TrueNegatives { get; }

    /// <summary>Whether each row was predicted right.</summary>
    internal IEnumerable<bool> Correct => _labels.Zip(_scores, (l, s) => l == s >= Threshold);

    /// <summary>The share of rows predicted right.</summary>
    public double Accuracy => (double)(TruePositives + TrueNegatives) / Count;

    /// <summary>Precision of the positive class (0 when nothing is predicted positive).</summary>
    public double Precision => _precisionRecallF1.Value.Precision;

    /// <summary>Recall of the positive class (0 when no row is positive).</summary>
    public double Recall => _precisionRecallF1.Value.Recall;

    /// <summary>F1 of the positive class.</summary>
    public double F1 => _precisionRecallF1.Value.F1;

    /// <summary>ROC AUC.</summary>
    /// <exception cref="MlOpsValidationException">Only one class is present.</exception>
    public double RocAuc => _rocAuc.Value;

    /// <summary>Log loss of the scores read as probabilities.</summary>
    public double LogLoss => _logLoss.Value;

    /// <summary>The confusion matrix: row 0 the negative labels, row 1 the positive; column 0 predicted negative, column 1 positive.</summary>
    public long[,] ConfusionMatrix => new long[,] { { TrueNegatives, FalsePositives }, { FalseNegatives, TruePositives } };

    /// <summary>The value of <paramref name="metric"/>.</summary>
    public double Value(Metric metric) => metric switch
    {
        Metric.Accuracy => Accuracy,
        Metric.Precision => Precision,
        Metric.Recall => Recall,
        Metric.F1 => F1,
        Metric.RocAuc => RocAuc,
        Metric.LogLoss => LogLoss,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };

    /// <summary>
    /// The confidence interval of <paramref name="metric"/>: Wilson for accuracy (hits of rows), precision (of predicted
    /// positives) and recall (of positives); DeLong for ROC AUC; a percentile bootstrap of
    /// <paramref name="resamples"/> resamples seeded with <paramref name="seed"/> for F1 and log loss.
    /// </summary>
    public ConfidenceInterval Interval(Metric metric, double level = 0.95, int resamples = 2000, int seed = 1) => metric switch
    {
        Metric.Accuracy => ConfidenceInterval.Wilson(TruePositives + TrueNegatives, Count, level),
        Metric.Precision => ConfidenceInterval.Wilson(TruePositives, Math.Max(1, TruePositives + FalsePositives), level),
        Metric.Recall => ConfidenceInterval.Wilson(TruePositives, Math.Max(1, TruePositives + FalseNegatives), level),
        Metric.RocAuc => DeLong.Interval(_deLong.Value.Auc, _deLong.Value.Variance, level),
        _ => Over((l, s) => Bootstrap.Interval(l, s, Threshold, metric, level, resamples, seed)),
    };

    /// <summary>The number of rows the metric's interval counts: rows, predicted positives (precision) or positives (recall).</summary>
    public long Support(Metric metric) => metric switch
    {
        Metric.Precision => TruePositives + FalsePositives,
        Metric.Recall => TruePositives + FalseNegatives,
        _ => Count,
    };

    /// <summary>The rows whose <paramref name="key"/> is the same, each as an evaluation of its own.</summary>
    public IReadOnlyDictionary<TKey, BinaryEvaluation<TIn>> SliceBy<TKey>(Func<TIn, TKey> key)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(key);
        return Enumerable.Range(0, Count).GroupBy(i => key(Rows[i])).ToDictionary(
            g => g.Key,
            g => new BinaryEvaluation<TIn>([.. g.Select(i => Rows[i])], new Column<bool>(g.Select(i => _labels[i])), new Column<double>(g.Select(i => _scores[i])), Threshold));
    }

    /// <summary>
    /// The paired DeLong test of this evaluation's AUC against <paramref name="reference"/>'s on the same rows
    /// (<see cref="DeLong.Paired"/>).
    /// </summary>
    internal PairedAucTest PairedAuc(BinaryEvaluation<TIn> reference)
    {
        using var labels = _labels.Rent();
        using var scores = _scores.Rent();
        using var referenceScores = reference._scores.Rent();
        return DeLong.Paired(labels.Span, scores.Span, referenceScores.Span);
    }

    /// <summary>A metric over the labels and scores as spans (pooled copies of the columns).</summary>
    private TResult Over<TResult>(SpanMetric<TResult> metric)
    {
        using var labels = _labels.Rent();
        using var scores = _scores.Rent();
        return metric(labels.Span, scores.Span);
    }
}
