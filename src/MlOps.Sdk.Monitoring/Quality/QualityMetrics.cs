namespace MlOps.Sdk.Monitoring.Quality;

/// <summary>
/// Quality metrics of a window of labelled predictions, defined as scikit-learn 1.2 defines them (the tests compare
/// them to scikit-learn's values to 1e-9).
/// </summary>
public static class QualityMetrics
{
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>Share of predictions equal to their label (<c>accuracy_score</c>).</summary>
    public static double Accuracy(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> predictions)
    {
        RequirePairs(labels.Length, predictions.Length);
        var hits = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            hits += labels[i] == predictions[i] ? 1 : 0;
        }

        return (double)hits / labels.Length;
    }

    /// <summary>
    /// Precision, recall and F1 of the positive class (<c>precision_score</c>, <c>recall_score</c>, <c>f1_score</c>
    /// with <c>zero_division=0</c>: a ratio with nothing to count is 0).
    /// </summary>
    public static (double Precision, double Recall, double F1) PrecisionRecallF1(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> predictions)
    {
        RequirePairs(labels.Length, predictions.Length);
        long tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            tp += labels[i] && predictions[i] ? 1 : 0;
            fp += !labels[i] && predictions[i] ? 1 : 0;
            fn += labels[i] && !predictions[i] ? 1 : 0;
        }

        return (
            tp + fp == 0 ? 0 : (double)tp / (tp + fp),
            tp + fn == 0 ? 0 : (double)tp / (tp + fn),
            (2 * tp) + fp + fn == 0 ? 0 : 2.0 * tp / ((2 * tp) + fp + fn));
    }

    /// <summary>
    /// Area under the ROC curve (<c>roc_auc_score</c>): the probability that a random positive scores above a random
    /// negative, ties counting one half, computed from average ranks.
    /// </summary>
    /// <exception cref="MlOpsValidationException">Only one class is present: the area is not defined.</exception>
    public static double RocAuc(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        RequirePairs(labels.Length, scores.Length);
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var keys = scores.ToArray();
        Array.Sort(keys, order);
        double positiveRanks = 0;
        long positives = 0;
        for (var start = 0; start < keys.Length;)
        {
            var end = start;
            while (end + 1 < keys.Length && keys[end + 1] == keys[start])
            {
                end++;
            }

            var averageRank = ((start + end) / 2.0) + 1;
            for (var k = start; k <= end; k++)
            {
                if (labels[order[k]])
                {
                    positiveRanks += averageRank;
                    positives++;
                }
            }

            start = end + 1;
        }

        var negatives = labels.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new MlOpsValidationException("ROC AUC needs both classes among the labels.");
        }

        return (positiveRanks - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    /// <summary>
    /// Mean negative log-likelihood of the labels under the predicted probabilities of the positive class
    /// (<c>log_loss</c>), probabilities clipped to [ε, 1 − ε] with ε the double's machine epsilon.
    /// </summary>
    public static double LogLoss(ReadOnlySpan<bool> labels, ReadOnlySpan<double> probabilities)
    {
        RequirePairs(labels.Length, probabilities.Length);
        double loss = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var p = Math.Clamp(probabilities[i], MachineEpsilon, 1 - MachineEpsilon);
            var q = 1 - p;
            var sum = p + q;
            loss -= labels[i] ? Math.Log(p / sum) : Math.Log(q / sum);
        }

        return loss / labels.Length;
    }

    /// <summary>Mean absolute error (<c>mean_absolute_error</c>).</summary>
    public static double MeanAbsoluteError(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        RequirePairs(actual.Length, predicted.Length);
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            sum += Math.Abs(actual[i] - predicted[i]);
        }

        return sum / actual.Length;
    }

    /// <summary>Root mean squared error (the square root of <c>mean_squared_error</c>).</summary>
    public static double RootMeanSquaredError(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        RequirePairs(actual.Length, predicted.Length);
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            sum += (actual[i] - predicted[i]) * (actual[i] - predicted[i]);
        }

        return Math.Sqrt(sum / actual.Length);
    }

    /// <summary>
    /// The coefficient of determination (<c>r2_score</c>): 1 − SS_res / SS_tot; for constant labels, 1 when the
    /// predictions are exact and 0 otherwise (scikit-learn's <c>force_finite</c>); NaN for a single sample, as scikit-learn gives.
    /// </summary>
    public static double R2(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        RequirePairs(actual.Length, predicted.Length);
        double mean = 0;
        foreach (var y in actual)
        {
            mean += y;
        }

        mean /= actual.Length;
        double residual = 0, total = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            residual += (actual[i] - predicted[i]) * (actual[i] - predicted[i]);
            total += (actual[i] - mean) * (actual[i] - mean);
        }

        // scikit-learn: R² of fewer than two samples is not defined (NaN, with a warning there).
        if (actual.Length < 2)
        {
            return double.NaN;
        }

        return total == 0 ? (residual == 0 ? 1 : 0) : 1 - (residual / total);
    }

    private static void RequirePairs(int labels, int predictions)
    {
        if (labels != predictions || labels == 0)
        {
            throw new MlOpsValidationException($"Quality needs as many predictions as labels, at least one; got {labels} labels and {predictions} predictions.");
        }
    }
}
