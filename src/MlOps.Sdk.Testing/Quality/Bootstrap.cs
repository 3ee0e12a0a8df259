using MlOps.Sdk.Monitoring.Quality;
using MlOps.Sdk.Monitoring.Statistics;

namespace MlOps.Sdk.Testing.Quality;

/// <summary>A seeded percentile bootstrap for the metrics without a closed-form interval (F1, log loss): the same seed, the same interval.</summary>
internal static class Bootstrap
{
    public static ConfidenceInterval Interval(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores, double threshold, Metric metric, double level, int resamples, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 100);
        var random = new Random(seed);
        var values = new double[resamples];
        var sampleLabels = new bool[labels.Length];
        var sampleScores = new double[labels.Length];
        var predictions = new bool[labels.Length];
        for (var b = 0; b < resamples; b++)
        {
            for (var i = 0; i < labels.Length; i++)
            {
                var k = random.Next(labels.Length);
                sampleLabels[i] = labels[k];
                sampleScores[i] = scores[k];
                predictions[i] = scores[k] >= threshold;
            }

            values[b] = metric == Metric.LogLoss ? QualityMetrics.LogLoss(sampleLabels, sampleScores) : QualityMetrics.PrecisionRecallF1(sampleLabels, predictions).F1;
        }

        Array.Sort(values);
        var tail = (1 - level) / 2;
        return new ConfidenceInterval(Percentile(values, tail), Percentile(values, 1 - tail), level);
    }

    /// <summary>The <paramref name="q"/> quantile by linear interpolation (numpy's default).</summary>
    private static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }
}
