using System.Numerics.Tensors;

namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>
/// The empirical maximum mean discrepancy between two samples with a Gaussian (RBF) kernel and its permutation p-value,
/// as Evidently's <c>empirical_mmd</c> drift test defines them — with a seeded random source, so that a result can be
/// reproduced. Time and memory grow with the square of the number of values: the test takes at most
/// <see cref="MaxValues"/> values in all.
/// </summary>
public static class MaximumMeanDiscrepancy
{
    /// <summary>The most values both samples may hold together (the kernel matrix has that many squared entries).</summary>
    public const int MaxValues = 4_000;

    /// <summary>
    /// MMD² = Σ k(xᵢ, xⱼ) / (n(n − 1)) + Σ k(yᵢ, yⱼ) / (m(m − 1)) − 2 · mean k(xᵢ, yⱼ) over i ≠ j, with k(a, b) =
    /// exp(−(b² − 2ab + a²) / (2σ²)) evaluated as Evidently evaluates it and σ = √(½ · median) of the squared distances
    /// within <paramref name="x"/> (numpy's "nearest" median, diagonal included; √½ when that median is zero). The
    /// p-value is the share of <paramref name="permutations"/> random relabellings of the pooled values (drawn by
    /// <see cref="Random"/> seeded with <paramref name="seed"/>) whose MMD² is at least the observed one; its Monte-Carlo
    /// error is about √(p(1 − p) / permutations). Evidently draws 100 unseeded permutations.
    /// </summary>
    /// <exception cref="MlOpsValidationException">
    /// A sample has fewer than two values or a value that is not finite, the samples hold more than
    /// <see cref="MaxValues"/> values together, or <paramref name="permutations"/> is less than one.
    /// </exception>
    public static TestResult Test(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int permutations = 100, int seed = 0)
    {
        var (nx, ny) = (x.Length, y.Length);
        if (nx < 2 || ny < 2)
        {
            throw new MlOpsValidationException($"Each sample needs at least two values for the maximum mean discrepancy; they have {nx} and {ny}.");
        }

        if (nx + ny > MaxValues)
        {
            throw new MlOpsValidationException($"The empirical maximum mean discrepancy takes at most {MaxValues} values in all (its cost is quadratic); these samples hold {nx + ny}. Test a subsample.");
        }

        if (permutations < 1)
        {
            throw new MlOpsValidationException($"The permutation test needs at least one permutation, not {permutations}.");
        }

        if (!TensorPrimitives.IsFiniteAll(x) || !TensorPrimitives.IsFiniteAll(y))
        {
            throw new MlOpsValidationException("The maximum mean discrepancy takes finite values only; drop missing and infinite values first.");
        }

        double[] pooled = [.. x, .. y];

        var kernel = new PooledKernel(pooled, nx, Gamma(x));
        var observed = kernel.Observed();
        var rng = new Random(seed);
        var order = Enumerable.Range(0, pooled.Length).ToArray();
        var atLeast = 0;
        for (var p = 0; p < permutations; p++)
        {
            atLeast += observed <= kernel.Permuted(order, rng) ? 1 : 0;
        }

        return new TestResult(observed, (double)atLeast / permutations);
    }

    /// <summary>The squared distance as Evidently computes it: b² − 2ab + a², in that order.</summary>
    internal static double Distance(double a, double b) => (b * b) - (2 * (a * b)) + (a * a);

    /// <summary>1 / (2σ²), σ from the "nearest" median of the squared distances of every ordered pair of x, i = j included.</summary>
    private static double Gamma(ReadOnlySpan<double> x)
    {
        var n = x.Length;
        var offDiagonal = new double[n * (n - 1)];
        var k = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                if (i != j)
                {
                    offDiagonal[k++] = Distance(x[i], x[j]);
                }
            }
        }

        // numpy's "nearest": index round((n² − 1) / 2), halves to even, over the n² values, the n on the diagonal 0.
        Span<double> median = stackalloc double[1];
        OrderStatistics.Find(offDiagonal, new double[n], [(long)Math.Round(0.5 * (((long)n * n) - 1), MidpointRounding.ToEven)], median);
        var sigma = Math.Sqrt(0.5 * median[0]);
        sigma = sigma == 0 ? Math.Sqrt(0.5) : sigma;
        return 1.0 / (2.0 * sigma * sigma);
    }

    /// <summary>
    /// The kernel over the pooled values (x first), every off-diagonal pair once as kᵢⱼ + kⱼᵢ in a packed upper triangle,
    /// so that a relabelling's statistic needs only the sum over the smaller group's pairs.
    /// </summary>
    private sealed class PooledKernel
    {
        private readonly double[] _pairs;
        private readonly double[] _rowTotals;
        private readonly int _n;
        private readonly int _nx;
        private readonly double _total;
        private readonly double _xx;
        private readonly double _yy;
        private readonly double _xy;

        public PooledKernel(double[] pooled, int nx, double gamma)
        {
            (_n, _nx) = (pooled.Length, nx);
            _pairs = new double[(long)_n * (_n - 1) / 2];
            _rowTotals = new double[_n];
            CompensatedSum xx = default, yy = default, xy = default, total = default;
            for (var i = 0; i < _n; i++)
            {
                var row = Offset(i);
                for (var j = i + 1; j < _n; j++)
                {
                    // Within a sample the matrix is computed in both orders (b² − 2ab + a² is not exactly symmetric);
                    // across the samples it is one matrix and its transpose.
                    double forward = Kernel(pooled, i, j, gamma), backward = j < nx || i >= nx ? Kernel(pooled, j, i, gamma) : forward;
                    var pair = forward + backward;
                    _pairs[row + j - i - 1] = pair;
                    _rowTotals[i] += pair;
                    _rowTotals[j] += pair;
                    total.Add(pair);
                    if (j < nx)
                    {
                        xx.Add(forward);
                        xx.Add(backward);
                    }
                    else if (i >= nx)
                    {
                        yy.Add(forward);
                        yy.Add(backward);
                    }
                    else
                    {
                        xy.Add(forward);
                    }
                }
            }

            (_total, _xx, _yy, _xy) = (total.Value, xx.Value, yy.Value, xy.Value);
        }

        public double Observed() => Statistic(_xx, _yy, _xy);

        /// <summary>The statistic of one random relabelling: a uniformly random group the size of the smaller sample.</summary>
        public double Permuted(int[] order, Random rng)
        {
            var small = Math.Min(_nx, _n - _nx);
            for (var i = 0; i < small; i++)
            {
                var pick = rng.Next(i, _n);
                (order[i], order[pick]) = (order[pick], order[i]);
            }

            var group = order.AsSpan(0, small);
            group.Sort();
            double within = 0, rows = 0;
            for (var a = 0; a < group.Length; a++)
            {
                var i = group[a];
                rows += _rowTotals[i];
                var row = Offset(i) - i - 1;
                for (var b = a + 1; b < group.Length; b++)
                {
                    within += _pairs[row + group[b]];
                }
            }

            // Pair sums: the group's own pairs, the pairs across (each counted in both directions), and the rest.
            var across = rows - (2 * within);
            var rest = _total - within - across;
            return _nx <= _n - _nx ? Statistic(within, rest, across / 2) : Statistic(rest, within, across / 2);
        }

        private double Statistic(double xx, double yy, double xy)
        {
            double nx = _nx, ny = _n - _nx;
            return (xx / (nx * (nx - 1))) + (yy / (ny * (ny - 1))) - (2.0 * (xy / (nx * ny)));
        }

        private long Offset(int i) => ((long)i * _n) - ((long)i * (i + 1) / 2);

        /// <summary>k at row i, column j of Evidently's kernel matrix: the row's value plays a, the column's b.</summary>
        private static double Kernel(double[] pooled, int i, int j, double gamma) => Math.Exp(-gamma * Distance(pooled[i], pooled[j]));
    }

    /// <summary>Neumaier's compensated sum: the statistic is a small difference of large sums.</summary>
    private struct CompensatedSum
    {
        private double _sum;
        private double _compensation;

        public readonly double Value => _sum + _compensation;

        public void Add(double value)
        {
            var t = _sum + value;
            _compensation += Math.Abs(_sum) >= Math.Abs(value) ? (_sum - t) + value : (value - t) + _sum;
            _sum = t;
        }
    }
}
