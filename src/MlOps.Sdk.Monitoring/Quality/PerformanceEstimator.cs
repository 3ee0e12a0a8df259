namespace MlOps.Sdk.Monitoring.Quality;

/// <summary>
/// Confidence-based performance estimation (NannyML's CBPE) for a binary classifier: a model's quality estimated from
/// its scores alone, while the labels are still on their way. The scores are calibrated on a labelled reference
/// (<see cref="IsotonicCalibration"/>); a window's expected confusion matrix follows from the calibrated probabilities,
/// and with it accuracy, precision, recall and F1; ROC AUC is the expected share of correctly ordered positive-negative
/// pairs. Each estimate carries its sampling error: the standard deviation of the realised metric when each label is
/// drawn with its calibrated probability (simulated with a seeded generator), so that the band holds the realised value
/// about as often as the band's width promises — provided the relation between scores and labels is the reference's.
/// Concept drift (the same scores meaning other labels) is invisible to it; covariate shift is what it sees.
/// </summary>
public sealed class PerformanceEstimator
{
    private readonly PerformanceEstimatorOptions _options;

    private PerformanceEstimator(IsotonicCalibration calibration, PerformanceEstimatorOptions options) => (Calibration, _options) = (calibration, options);

    /// <summary>The calibration fitted on the reference.</summary>
    public IsotonicCalibration Calibration { get; }

    /// <summary>The score at or above which the model predicts the positive class.</summary>
    public double Threshold => _options.Threshold;

    /// <summary>Calibrates on a labelled reference: the model's scores on data whose labels are known.</summary>
    /// <exception cref="MlOpsValidationException">The reference is empty, lengths differ, a score is not finite, or it lacks a class.</exception>
    public static PerformanceEstimator Fit(ReadOnlySpan<double> referenceScores, ReadOnlySpan<bool> referenceLabels, PerformanceEstimatorOptions? options = null)
    {
        options ??= new PerformanceEstimatorOptions();
        options.Validate();
        if (!referenceLabels.Contains(true) || !referenceLabels.Contains(false))
        {
            throw new MlOpsValidationException("The reference needs both classes among its labels to calibrate on.");
        }

        return new PerformanceEstimator(IsotonicCalibration.Fit(referenceScores, referenceLabels), options);
    }

    /// <summary>The estimated quality of a window of scores whose labels are not known yet.</summary>
    /// <exception cref="MlOpsValidationException">The window is empty or a score is not finite.</exception>
    public PerformanceEstimate Estimate(ReadOnlySpan<double> scores)
    {
        if (scores.IsEmpty)
        {
            throw new MlOpsValidationException("An estimate needs at least one score.");
        }

        var window = new ScoredWindow(scores, Calibration, Threshold);
        var expected = window.Expected();
        var spread = window.Simulate(_options.Simulations, _options.Seed);
        EstimatedMetric Metric(int m) => new(expected[m], spread[m], _options.BandWidth);
        return new PerformanceEstimate(scores.Length, Metric(0), Metric(1), Metric(2), Metric(3), Metric(4));
    }

    /// <summary>A window's scores in increasing order, with their calibrated probabilities and predicted classes.</summary>
    private readonly struct ScoredWindow
    {
        private readonly double[] _scores;
        private readonly double[] _probabilities;
        private readonly bool[] _predicted;

        public ScoredWindow(ReadOnlySpan<double> scores, IsotonicCalibration calibration, double threshold)
        {
            _scores = scores.ToArray();
            foreach (var s in _scores)
            {
                if (!double.IsFinite(s))
                {
                    throw new MlOpsValidationException($"A score is {s}: estimates take finite scores only.");
                }
            }

            Array.Sort(_scores);
            _probabilities = [.. _scores.Select(calibration.Calibrate)];
            _predicted = [.. _scores.Select(s => s >= threshold)];
        }

        /// <summary>Accuracy, precision, recall, F1 and ROC AUC from the expected confusion matrix and pair counts.</summary>
        public double[] Expected()
        {
            double tp = 0, fp = 0, fn = 0, tn = 0;
            for (var i = 0; i < _scores.Length; i++)
            {
                var p = _probabilities[i];
                if (_predicted[i])
                {
                    (tp, fp) = (tp + p, fp + (1 - p));
                }
                else
                {
                    (fn, tn) = (fn + p, tn + (1 - p));
                }
            }

            return [(tp + tn) / _scores.Length, Ratio(tp, tp + fp), Ratio(tp, tp + fn), Ratio(2 * tp, (2 * tp) + fp + fn), ExpectedAuc()];
        }

        /// <summary>
        /// E[correctly ordered pairs] / E[positive-negative pairs] over pairs of distinct rows, a tie counting one half:
        /// Σ pᵢ(1 − pⱼ)[sᵢ &gt; sⱼ] + ½ Σ pᵢ(1 − pⱼ)[sᵢ = sⱼ], divided by Σ pᵢ · Σ (1 − pⱼ) − Σ pᵢ(1 − pᵢ).
        /// </summary>
        private double ExpectedAuc()
        {
            double negativesBelow = 0, ordered = 0, positives = 0, negatives = 0, self = 0;
            for (var i = 0; i < _scores.Length;)
            {
                var start = i;
                double groupPositives = 0, groupNegatives = 0, groupSelf = 0;
                for (; i < _scores.Length && _scores[i] == _scores[start]; i++)
                {
                    var p = _probabilities[i];
                    (groupPositives, groupNegatives, groupSelf) = (groupPositives + p, groupNegatives + (1 - p), groupSelf + (p * (1 - p)));
                }

                ordered += (groupPositives * negativesBelow) + (0.5 * ((groupPositives * groupNegatives) - groupSelf));
                negativesBelow += groupNegatives;
                (positives, negatives, self) = (positives + groupPositives, negatives + groupNegatives, self + groupSelf);
            }

            var pairs = (positives * negatives) - self;
            return pairs > 0 ? ordered / pairs : double.NaN;
        }

        /// <summary>The standard deviation of each realised metric over simulated labels drawn with the calibrated probabilities.</summary>
        public double[] Simulate(int simulations, int seed)
        {
            var random = new Random(seed);
            var sums = new double[5];
            var squares = new double[5];
            var counts = new int[5];
            var labels = new bool[_scores.Length];
            Span<double> metrics = stackalloc double[5];
            for (var s = 0; s < simulations; s++)
            {
                for (var i = 0; i < labels.Length; i++)
                {
                    labels[i] = random.NextDouble() < _probabilities[i];
                }

                Realised(labels, metrics);
                for (var m = 0; m < 5; m++)
                {
                    if (!double.IsNaN(metrics[m]))
                    {
                        (sums[m], squares[m], counts[m]) = (sums[m] + metrics[m], squares[m] + (metrics[m] * metrics[m]), counts[m] + 1);
                    }
                }
            }

            return [.. Enumerable.Range(0, 5).Select(m => counts[m] < 2 ? double.NaN : Math.Sqrt(Math.Max(0, (squares[m] - (sums[m] * sums[m] / counts[m])) / (counts[m] - 1))))];
        }

        /// <summary>The metrics of the window under one draw of its labels (NaN where undefined, as for a window of one class).</summary>
        private void Realised(bool[] labels, Span<double> metrics)
        {
            long tp = 0, fp = 0, fn = 0, tn = 0, concordant = 0, negativesBelow = 0;
            for (var i = 0; i < labels.Length;)
            {
                var start = i;
                long groupPositives = 0, groupNegatives = 0;
                for (; i < labels.Length && _scores[i] == _scores[start]; i++)
                {
                    var (label, predicted) = (labels[i], _predicted[i]);
                    tp += label && predicted ? 1 : 0;
                    fp += !label && predicted ? 1 : 0;
                    fn += label && !predicted ? 1 : 0;
                    tn += !label && !predicted ? 1 : 0;
                    (groupPositives, groupNegatives) = label ? (groupPositives + 1, groupNegatives) : (groupPositives, groupNegatives + 1);
                }

                // Twice the concordant pairs: a positive above a negative counts 2, a tie 1.
                concordant += (2 * groupPositives * negativesBelow) + (groupPositives * groupNegatives);
                negativesBelow += groupNegatives;
            }

            metrics[0] = (double)(tp + tn) / labels.Length;
            metrics[1] = Ratio(tp, tp + fp);
            metrics[2] = Ratio(tp, tp + fn);
            metrics[3] = Ratio(2 * tp, (2 * tp) + fp + fn);
            var positives = tp + fn;
            metrics[4] = positives == 0 || positives == labels.Length ? double.NaN : concordant / (2.0 * positives * (labels.Length - positives));
        }

        /// <summary>A share, 0 when nothing is counted (scikit-learn's <c>zero_division=0</c>, as the quality monitors report).</summary>
        private static double Ratio(double numerator, double denominator) => denominator > 0 ? numerator / denominator : 0;
    }
}
