namespace MlOps.Sdk.Monitoring.Quality;

/// <summary>
/// A non-decreasing map from a classifier's score to the probability of the positive class, fitted on labelled data as
/// scikit-learn's <c>IsotonicRegression(out_of_bounds="clip")</c> fits it: equal scores pooled to their mean label,
/// the pool-adjacent-violators algorithm, and linear interpolation between the fitted points (clipped outside them).
/// </summary>
public sealed class IsotonicCalibration
{
    private readonly double[] _scores;
    private readonly double[] _probabilities;

    private IsotonicCalibration(double[] scores, double[] probabilities) => (_scores, _probabilities) = (scores, probabilities);

    /// <summary>The fitted points: distinct scores in increasing order and their calibrated probabilities.</summary>
    public IReadOnlyList<(double Score, double Probability)> Points => [.. _scores.Select((s, i) => (s, _probabilities[i]))];

    /// <summary>Fits the map on scores and their true labels.</summary>
    /// <exception cref="MlOpsValidationException">No scores, lengths differ, or a score is not finite.</exception>
    public static IsotonicCalibration Fit(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        if (scores.IsEmpty || scores.Length != labels.Length)
        {
            throw new MlOpsValidationException($"Calibration needs as many labels as scores, and at least one; got {scores.Length} scores and {labels.Length} labels.");
        }

        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = double.IsFinite(scores[i]) ? i : throw new MlOpsValidationException($"Score {i} is {scores[i]}: calibration takes finite scores only.");
        }

        var keys = scores.ToArray();
        Array.Sort(keys, order);

        // Equal scores pooled first (scikit-learn's _make_unique): one block each, weighted by its count.
        var x = new List<double>();
        var mean = new List<double>();
        var weight = new List<double>();
        for (var i = 0; i < keys.Length;)
        {
            var (start, positives) = (i, 0);
            while (i < keys.Length && keys[i] == keys[start])
            {
                positives += labels[order[i++]] ? 1 : 0;
            }

            x.Add(keys[start]);
            mean.Add((double)positives / (i - start));
            weight.Add(i - start);
        }

        // Pool adjacent violators: merge a block into its left neighbour while their means are out of order.
        var blockMean = new List<double>();
        var blockWeight = new List<double>();
        var blockEnd = new List<int>();
        for (var i = 0; i < x.Count; i++)
        {
            var (m, w) = (mean[i], weight[i]);
            while (blockMean.Count > 0 && blockMean[^1] >= m)
            {
                var (pm, pw) = (blockMean[^1], blockWeight[^1]);
                (m, w) = (((pm * pw) + (m * w)) / (pw + w), pw + w);
                blockMean.RemoveAt(blockMean.Count - 1);
                blockWeight.RemoveAt(blockWeight.Count - 1);
                blockEnd.RemoveAt(blockEnd.Count - 1);
            }

            blockMean.Add(m);
            blockWeight.Add(w);
            blockEnd.Add(i);
        }

        var fitted = new double[x.Count];
        for (int b = 0, i = 0; b < blockMean.Count; b++)
        {
            for (; i <= blockEnd[b]; i++)
            {
                fitted[i] = blockMean[b];
            }
        }

        return new IsotonicCalibration([.. x], fitted);
    }

    /// <summary>The calibrated probability of a score: numpy's <c>interp</c> over the fitted points, clipped at both ends.</summary>
    public double Calibrate(double score)
    {
        if (score <= _scores[0] || _scores.Length == 1)
        {
            return _probabilities[0];
        }

        if (score >= _scores[^1])
        {
            return _probabilities[^1];
        }

        var upper = Array.BinarySearch(_scores, score);
        if (upper >= 0)
        {
            return _probabilities[upper];
        }

        upper = ~upper;
        var lower = upper - 1;
        var slope = (_probabilities[upper] - _probabilities[lower]) / (_scores[upper] - _scores[lower]);
        return (slope * (score - _scores[lower])) + _probabilities[lower];
    }
}
