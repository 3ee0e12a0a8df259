using System.Numerics.Tensors;

namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>The Epps-Singleton two-sample test, as <c>scipy.stats.epps_singleton_2samp</c> (scipy 1.10) computes it.</summary>
public static class EppsSingleton
{
    private static readonly double[] DefaultPoints = [0.4, 0.8];

    /// <summary>
    /// The statistic W, comparing the two samples' empirical characteristic functions at the points
    /// <paramref name="points"/> (0.4 and 0.8 when none are given) divided by the semi-interquartile range of both samples
    /// together, and its p-value from the chi-square distribution with as many degrees of freedom as the estimated
    /// covariance has rank (2 × points when full), with the small-sample correction when both samples have fewer than
    /// 25 values. One pass over each sample; the interquartile range from bucket counts, without sorting. Evidently's <c>es</c>
    /// drift test is this on (reference, current).
    /// </summary>
    /// <exception cref="MlOpsValidationException">
    /// A sample has fewer than five values or a value that is not finite, the interquartile range of both samples is zero
    /// (Evidently refuses such columns too), or a point is not positive and finite.
    /// </exception>
    public static TestResult Test(ReadOnlySpan<double> x, ReadOnlySpan<double> y, params ReadOnlySpan<double> points)
    {
        if (x.Length < 5 || y.Length < 5)
        {
            throw new MlOpsValidationException($"Each sample needs at least five values for the Epps-Singleton test; they have {x.Length} and {y.Length}.");
        }

        points = points.IsEmpty ? DefaultPoints : points;
        foreach (var t in points)
        {
            if (!(t > 0) || double.IsPositiveInfinity(t))
            {
                throw new MlOpsValidationException($"The Epps-Singleton test's points must be positive and finite; {t} is not.");
            }
        }

        if (!TensorPrimitives.IsFiniteAll(x) || !TensorPrimitives.IsFiniteAll(y))
        {
            throw new MlOpsValidationException("The Epps-Singleton test takes finite values only; drop missing and infinite values first.");
        }

        var semiRange = OrderStatistics.InterquartileRange(x, y) / 2;
        if (semiRange == 0)
        {
            throw new MlOpsValidationException("The interquartile range of both samples together is zero: the Epps-Singleton test needs variability in the middle half of the data.");
        }

        var k = 2 * points.Length;
        var scaled = new double[points.Length];
        for (var i = 0; i < points.Length; i++)
        {
            scaled[i] = points[i] / semiRange;
        }

        var (meanX, covarianceX) = Moments(x, scaled);
        var (meanY, covarianceY) = Moments(y, scaled);
        double n = x.Length + y.Length;
        var covariance = new double[k, k];
        for (var a = 0; a < k; a++)
        {
            for (var b = 0; b < k; b++)
            {
                covariance[a, b] = (n / x.Length * covarianceX[a, b]) + (n / y.Length * covarianceY[a, b]);
            }
        }

        var (inverse, rank) = SymmetricMatrix.PseudoInverse(covariance);
        double w = 0;
        for (var a = 0; a < k; a++)
        {
            double row = 0;
            for (var b = 0; b < k; b++)
            {
                row += inverse[a, b] * (meanX[b] - meanY[b]);
            }

            w += (meanX[a] - meanY[a]) * row;
        }

        w *= n;
        if (Math.Max(x.Length, y.Length) < 25)
        {
            w /= 1 + Math.Pow(n, -0.45) + (10.1 * (Math.Pow(x.Length, -1.7) + Math.Pow(y.Length, -1.7)));
        }

        return new TestResult(w, SpecialFunctions.ChiSquareSurvival(w, rank));
    }

    /// <summary>
    /// The mean and the biased (1/n) covariance of (cos t₁v, …, cos tₘv, sin t₁v, …, sin tₘv) over the sample: each
    /// block of values centred on its own mean (vectorized sums and dot products; a point twice another by the
    /// double-angle formulas instead of a second sine and cosine), the blocks merged by
    /// Chan's pairwise update, which stays as stable as two passes.
    /// </summary>
    private static (double[] Mean, double[,] Covariance) Moments(ReadOnlySpan<double> sample, ReadOnlySpan<double> scaled)
    {
        const int Block = 4096;
        var (m, k) = (scaled.Length, 2 * scaled.Length);
        var mean = new double[k];
        var comoment = new double[k, k];
        var features = new double[k * Block];
        Span<int> doubled = stackalloc int[m];
        for (var p = 0; p < m; p++)
        {
            doubled[p] = scaled[..p].IndexOf(scaled[p] / 2);
        }

        Span<double> blockMean = stackalloc double[k];
        long seen = 0;
        for (var start = 0; start < sample.Length; start += Block)
        {
            var values = sample.Slice(start, Math.Min(Block, sample.Length - start));
            var length = values.Length;
            Span<double> Feature(int a) => features.AsSpan(a * Block, length);
            for (var p = 0; p < m; p++)
            {
                var cos = Feature(p);
                var sin = Feature(m + p);
                if (doubled[p] is var q and >= 0)
                {
                    // t_p = 2 t_q exactly (0.8 and 0.4), so t_p·v = 2(t_q·v) exactly: the double-angle formulas.
                    var cosQ = Feature(q);
                    var sinQ = Feature(m + q);
                    for (var i = 0; i < length; i++)
                    {
                        (cos[i], sin[i]) = ((cosQ[i] - sinQ[i]) * (cosQ[i] + sinQ[i]), 2 * sinQ[i] * cosQ[i]);
                    }
                }
                else
                {
                    for (var i = 0; i < length; i++)
                    {
                        (sin[i], cos[i]) = Math.SinCos(scaled[p] * values[i]);
                    }
                }
            }

            for (var a = 0; a < k; a++)
            {
                blockMean[a] = TensorPrimitives.Sum<double>(Feature(a)) / length;
                TensorPrimitives.Subtract(Feature(a), blockMean[a], Feature(a));
            }

            var total = seen + length;
            for (var a = 0; a < k; a++)
            {
                for (var b = a; b < k; b++)
                {
                    var (da, db) = (blockMean[a] - mean[a], blockMean[b] - mean[b]);
                    comoment[a, b] += TensorPrimitives.Dot<double>(Feature(a), Feature(b)) + (da * db * seen * length / total);
                }
            }

            for (var a = 0; a < k; a++)
            {
                mean[a] += (blockMean[a] - mean[a]) * length / total;
            }

            seen = total;
        }

        for (var a = 0; a < k; a++)
        {
            for (var b = a; b < k; b++)
            {
                comoment[a, b] /= sample.Length;
                comoment[b, a] = comoment[a, b];
            }
        }

        return (mean, comoment);
    }
}
