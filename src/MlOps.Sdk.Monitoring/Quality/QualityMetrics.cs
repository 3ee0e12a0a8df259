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

        return PrecisionRecallF1(tp, fp, fn);
    }

    /// <summary>Precision, recall and F1 of the positive class from the confusion counts (a ratio with nothing to count is 0).</summary>
    /// <param name="truePositives">Positives predicted positive.</param>
    /// <param name="falsePositives">Negatives predicted positive.</param>
    /// <param name="falseNegatives">Positives predicted negative.</param>
    public static (double Precision, double Recall, double F1) PrecisionRecallF1(long truePositives, long falsePositives, long falseNegatives)
    {
        var (tp, fp, fn) = (truePositives, falsePositives, falseNegatives);
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
        using var ranked = Statistics.RankedLabels.Rank(labels, scores);
        long positives = 0, negatives = 0, pairs = 0; // pairs: twice the positive-above-negative pairs, ties counting one
        foreach (var (p, n) in ranked.Groups)
        {
            pairs += p * ((2 * negatives) + n);
            (positives, negatives) = (positives + p, negatives + n);
        }

        if (positives == 0 || negatives == 0)
        {
            throw new MlOpsValidationException("ROC AUC needs both classes among the labels.");
        }

        return pairs / (2.0 * positives * negatives);
    }

    /// <summary>
    /// Mean negative log-likelihood of the labels under the predicted probabilities of the positive class
    /// (<c>log_loss</c>), probabilities clipped to [ε, 1 − ε] with ε the double's machine epsilon.
    /// </summary>
    public static double LogLoss(ReadOnlySpan<bool> labels, ReadOnlySpan<double> probabilities)
    {
        RequirePairs(labels.Length, probabilities.Length);

        // The sum of the logs is the log of the product, taken once: the likelihoods are multiplied, and every 16 of
        // them (each at least ε = 2⁻⁵², so the product stays above 2⁻⁸³² and normal) the product's power of two is moved
        // into an integer exponent, exactly. Each product rounds as each sum of logs would; one Math.Log per 16 rows.
        const int Block = 16;
        double product = 1;
        long exponent = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var p = Math.Min(Math.Max(probabilities[i], MachineEpsilon), 1 - MachineEpsilon);
            var q = 1 - p;

            // The label's likelihood, p for a positive and 1 − p for a negative, chosen without a branch (random labels
            // would mispredict half of them): y = 1 gives 0 + p, y = 0 gives 1 − p, both exact.
            double y = labels[i] ? 1 : 0;
            product *= ((1 - y) + (((2 * y) - 1) * p)) / (p + q);
            if (i % Block == Block - 1)
            {
                var power = Math.ILogB(product);
                product = Math.ScaleB(product, -power);
                exponent += power;
            }
        }

        return -((exponent * Math.Log(2)) + Math.Log(product)) / labels.Length;
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

    /// <summary>Mean squared error (<c>mean_squared_error</c>).</summary>
    public static double MeanSquaredError(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        RequirePairs(actual.Length, predicted.Length);
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            sum += (actual[i] - predicted[i]) * (actual[i] - predicted[i]);
        }

        return sum / actual.Length;
    }

    /// <summary>
    /// Mean absolute percentage error (<c>mean_absolute_percentage_error</c>): the mean of |y − ŷ| / max(|y|, ε), ε the
    /// double's machine epsilon — a share (0.05 is 5%), and very large when an actual value is 0, as scikit-learn gives it.
    /// </summary>
    public static double MeanAbsolutePercentageError(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        RequirePairs(actual.Length, predicted.Length);
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            sum += Math.Abs(predicted[i] - actual[i]) / Math.Max(Math.Abs(actual[i]), 2.220446049250313e-16);
        }

        return sum / actual.Length;
    }

    /// <summary>
    /// The confusion matrix (<c>confusion_matrix(labels=range(classes))</c>): row i holds the rows whose label is class i,
    /// column j those predicted as class j.
    /// </summary>
    /// <exception cref="MlOpsValidationException">A label or prediction is outside [0, classes).</exception>
    public static long[,] ConfusionMatrix(ReadOnlySpan<int> labels, ReadOnlySpan<int> predictions, int classes)
    {
        RequirePairs(labels.Length, predictions.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        var matrix = new long[classes, classes];
        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes || (uint)predictions[i] >= (uint)classes)
            {
                throw new MlOpsValidationException($"Row {i} has label {labels[i]} and prediction {predictions[i]}; classes are 0 to {classes - 1}.");
            }

            matrix[labels[i], predictions[i]]++;
        }

        return matrix;
    }

    /// <summary>Share of predictions equal to their label, for any number of classes (<c>accuracy_score</c>).</summary>
    public static double Accuracy(ReadOnlySpan<int> labels, ReadOnlySpan<int> predictions)
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
    /// Multiclass precision, recall and F1 (<c>precision_recall_fscore_support(average=...)</c> with
    /// <c>zero_division=0</c>) over the classes present among the labels or predictions, as scikit-learn takes them.
    /// </summary>
    public static (double Precision, double Recall, double F1) PrecisionRecallF1(ReadOnlySpan<int> labels, ReadOnlySpan<int> predictions, Averaging averaging)
    {
        RequirePairs(labels.Length, predictions.Length);
        var classes = SortedUnion(labels, predictions);
        long tpSum = 0, fpSum = 0, fnSum = 0;
        double precision = 0, recall = 0, f1 = 0, weights = 0;
        foreach (var c in classes)
        {
            long tp = 0, fp = 0, fn = 0;
            for (var i = 0; i < labels.Length; i++)
            {
                tp += labels[i] == c && predictions[i] == c ? 1 : 0;
                fp += labels[i] != c && predictions[i] == c ? 1 : 0;
                fn += labels[i] == c && predictions[i] != c ? 1 : 0;
            }

            (tpSum, fpSum, fnSum) = (tpSum + tp, fpSum + fp, fnSum + fn);
            var weight = averaging == Averaging.Weighted ? tp + fn : 1.0;
            precision += weight * Ratio(tp, tp + fp);
            recall += weight * Ratio(tp, tp + fn);
            f1 += weight * Ratio(2 * tp, (2 * tp) + fp + fn);
            weights += weight;
        }

        if (averaging == Averaging.Micro)
        {
            return (Ratio(tpSum, tpSum + fpSum), Ratio(tpSum, tpSum + fnSum), Ratio(2 * tpSum, (2 * tpSum) + fpSum + fnSum));
        }

        return weights == 0 ? (0, 0, 0) : (precision / weights, recall / weights, f1 / weights);
    }

    /// <summary>
    /// One-vs-rest ROC AUC (<c>roc_auc_score(multi_class="ovr", average=...)</c>): each class's scores against the rest,
    /// averaged unweighted (macro) or by each class's count among the labels (weighted).
    /// </summary>
    /// <param name="labels">The class of each row, 0 to the number of columns − 1; every class must occur.</param>
    /// <param name="probabilities">One row per label, one column per class.</param>
    /// <param name="averaging"><see cref="Averaging.Macro"/> or <see cref="Averaging.Weighted"/>.</param>
    public static double RocAucOneVsRest(ReadOnlySpan<int> labels, double[,] probabilities, Averaging averaging = Averaging.Macro)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        RequirePairs(labels.Length, probabilities.GetLength(0));
        if (averaging == Averaging.Micro)
        {
            throw new MlOpsValidationException("One-vs-rest ROC AUC is averaged macro or weighted, as scikit-learn allows for multiclass.");
        }

        var classes = probabilities.GetLength(1);
        var positives = new bool[labels.Length];
        var scores = new double[labels.Length];
        double sum = 0, weights = 0;
        for (var c = 0; c < classes; c++)
        {
            long support = 0;
            for (var i = 0; i < labels.Length; i++)
            {
                positives[i] = labels[i] == c;
                support += positives[i] ? 1 : 0;
                scores[i] = probabilities[i, c];
            }

            var weight = averaging == Averaging.Weighted ? support : 1.0;
            sum += weight * RocAuc(positives, scores);
            weights += weight;
        }

        return sum / weights;
    }

    /// <summary>
    /// Multiclass log loss (<c>log_loss</c>): probabilities clipped to [ε, 1 − ε] (ε the double's machine epsilon) and
    /// each row renormalised to sum to 1, as scikit-learn 1.2 does.
    /// </summary>
    public static double LogLoss(ReadOnlySpan<int> labels, double[,] probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        RequirePairs(labels.Length, probabilities.GetLength(0));
        var classes = probabilities.GetLength(1);
        double loss = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            double rowSum = 0;
            for (var c = 0; c < classes; c++)
            {
                rowSum += Math.Clamp(probabilities[i, c], MachineEpsilon, 1 - MachineEpsilon);
            }

            loss -= Math.Log(Math.Clamp(probabilities[i, labels[i]], MachineEpsilon, 1 - MachineEpsilon) / rowSum);
        }

        return loss / labels.Length;
    }

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;

    private static int[] SortedUnion(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        var set = new SortedSet<int>();
        foreach (var x in a)
        {
            set.Add(x);
        }

        foreach (var x in b)
        {
            set.Add(x);
        }

        return [.. set];
    }

    private static void RequirePairs(int labels, int predictions)
    {
        if (labels != predictions || labels == 0)
        {
            throw new MlOpsValidationException($"Quality needs as many predictions as labels, at least one; got {labels} labels and {predictions} predictions.");
        }
    }
}
