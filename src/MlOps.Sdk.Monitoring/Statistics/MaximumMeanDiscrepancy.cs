using System.Numerics.Tensors;

namespace MlOps.Sdk.Monitoring.Statistics;

/// <summary>
/// The empirical maximum mean discrepancy between two samples with a Gaussian (RBF) kernel and its permutation p-value,
/// as Evidently's <c>empirical_mmd</c> drift test computes them after <c>np.random.seed(seed)</c>: the same permutations,
/// and ties between a permuted statistic and the observed one decided by numpy's rounding. Time and memory grow with
/// the square of the number of values: the test takes at most <see cref="MaxValues"/> values in all.
/// </summary>
public static class MaximumMeanDiscrepancy
{
    /// <summary>The most values both samples may hold together (the kernel matrix has that many squared entries).</summary>
    public const int MaxValues = 4_000;

    /// <summary>
    /// Beyond this distance from the observed statistic a permuted one is larger or smaller whatever the order of
    /// addition; within it, both are summed again in numpy's order (the errors of either sum are below 1e-12).
    /// </summary>
    private const double TieTolerance = 1e-9;

    /// <summary>
    /// MMD² = Σ k(xᵢ, xⱼ) / (n(n − 1)) + Σ k(yᵢ, yⱼ) / (m(m − 1)) − 2 · mean k(xᵢ, yⱼ) over i ≠ j, with k(a, b) =
    /// exp(−(b² − 2ab + a²) / (2σ²)) evaluated as Evidently evaluates it and σ = √(½ · median) of the squared distances
    /// within <paramref name="x"/> (numpy's "nearest" median, diagonal included; √½ when that median is zero). The
    /// p-value is the share of <paramref name="permutations"/> relabellings of the pooled values (x first) whose MMD² is
    /// at least the observed one, each relabelling numpy's <c>np.random.permutation</c> after <c>np.random.seed(seed)</c>,
    /// as Evidently draws them (its test seeds 0 and draws 100). A permuted statistic equal to the observed one in exact
    /// arithmetic — common in discrete samples — counts as numpy's rounding has it; its Monte-Carlo error is about
    /// √(p(1 − p) / permutations).
    /// </summary>
    /// <exception cref="MlOpsValidationException">
    /// A sample has fewer than two values or a value that is not finite, the samples hold more than
    /// <see cref="MaxValues"/> values together, <paramref name="permutations"/> is less than one, or
    /// <paramref name="seed"/> is negative.
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

        if (seed < 0)
        {
            throw new MlOpsValidationException($"numpy's seeds are not negative; {seed} is.");
        }

        if (!TensorPrimitives.IsFiniteAll(x) || !TensorPrimitives.IsFiniteAll(y))
        {
            throw new MlOpsValidationException("The maximum mean discrepancy takes finite values only; drop missing and infinite values first.");
        }

        var kernel = new PooledKernel([.. x, .. y], nx, Gamma(x));
        var observed = kernel.Observed();
        double? observedAsNumpy = null;
        var random = new NumpyRandomState((uint)seed);
        var order = new int[nx + ny];
        var atLeast = 0;
        for (var p = 0; p < permutations; p++)
        {
            random.Permutation(order);
            var permuted = kernel.Permuted(order);
            if (Math.Abs(permuted - observed) > TieTolerance)
            {
                atLeast += observed <= permuted ? 1 : 0;
            }
            else
            {
                observedAsNumpy ??= kernel.AsNumpy(null);
                atLeast += observedAsNumpy <= kernel.AsNumpy(order) ? 1 : 0;
            }
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

        // Python's ** is the C library's pow, not a square root.
        var sigma = Math.Pow(0.5 * median[0], 0.5);
        sigma = sigma == 0 ? Math.Pow(0.5, 0.5) : sigma;
        return 1.0 / (2.0 * Math.Pow(sigma, 2));
    }

    /// <summary>
    /// The kernel over the pooled values (x first), every off-diagonal pair once as kᵢⱼ + kⱼᵢ in a packed upper triangle,
    /// so that a relabelling's statistic needs only the sum over the smaller group's pairs.
    /// </summary>
    private sealed class PooledKernel
    {
        private readonly double[] _pooled;
        private readonly double _gamma;
        private readonly double[] _pairs;
        private readonly double[] _rowTotals;
        private readonly int[] _group;
        private readonly int _n;
        private readonly int _nx;
        private readonly double _total;
        private readonly double _xx;
        private readonly double _yy;
        private readonly double _xy;

        public PooledKernel(double[] pooled, int nx, double gamma)
        {
            (_pooled, _gamma, _n, _nx) = (pooled, gamma, pooled.Length, nx);
            _pairs = new double[(long)_n * (_n - 1) / 2];
            _rowTotals = new double[_n];
            _group = new int[Math.Min(_nx, _n - _nx)];
            CompensatedSum xx = default, yy = default, xy = default, total = default;
            for (var i = 0; i < _n; i++)
            {
                var row = Offset(i);
                for (var j = i + 1; j < _n; j++)
                {
                    double forward = Entry(i, j), backward = Entry(j, i);
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

        /// <summary>The statistic of the relabelling that makes the first n<sub>x</sub> entries of <paramref name="order"/> x.</summary>
        public double Permuted(int[] order)
        {
            // The smaller group's own pairs, the pairs across (each counted in both directions), and the rest.
            var smallIsX = _nx <= _n - _nx;
            var group = _group.AsSpan();
            order.AsSpan(smallIsX ? 0 : _nx, group.Length).CopyTo(group);
            group.Sort();
            double within = 0, rows = 0;
            for (var a = 0; a < group.Length; a++)
            {
                var i = group[a];
                rows += _rowTotals[i];
                var row = Offset(i) - i - 1;
                var rowSum = 0.0;
                for (var b = a + 1; b < group.Length; b++)
                {
                    rowSum += _pairs[row + group[b]];
                }

                within += rowSum;
            }

            var across = rows - (2 * within);
            var rest = _total - within - across;
            return smallIsX ? Statistic(within, rest, across / 2) : Statistic(rest, within, across / 2);
        }

        /// <summary>
        /// The statistic as Evidently's numpy code rounds it: each block summed in the order numpy visits it — row by row
        /// in the kernel matrix, column by column in a permuted one (<c>k[index][:, index]</c> is laid out by columns).
        /// </summary>
        public double AsNumpy(int[]? order)
        {
            var sum = new NumpySum();
            double xx = Block(sum, order, 0, _nx, 0, _nx), yy = Block(sum, order, _nx, _n, _nx, _n), xy = Block(sum, order, _nx, _n, 0, _nx);
            double nx = _nx, ny = _n - _nx;
            return ((1 / (nx * (nx - 1)) * xx) + (1 / (ny * (ny - 1)) * yy)) - (2.0 * (xy / (nx * ny)));
        }

        private double Block(NumpySum sum, int[]? order, int rowStart, int rowEnd, int columnStart, int columnEnd)
        {
            sum.Clear();
            if (order is null)
            {
                for (var r = rowStart; r < rowEnd; r++)
                {
                    for (var c = columnStart; c < columnEnd; c++)
                    {
                        sum.Add(Entry(r, c));
                    }
                }
            }
            else
            {
                for (var c = columnStart; c < columnEnd; c++)
                {
                    for (var r = rowStart; r < rowEnd; r++)
                    {
                        sum.Add(Entry(order[r], order[c]));
                    }
                }
            }

            return sum.Total;
        }

        private double Statistic(double xx, double yy, double xy)
        {
            double nx = _nx, ny = _n - _nx;
            return (xx / (nx * (nx - 1))) + (yy / (ny * (ny - 1))) - (2.0 * (xy / (nx * ny)));
        }

        private long Offset(int i) => ((long)i * _n) - ((long)i * (i + 1) / 2);

        /// <summary>
        /// Row i, column j of Evidently's kernel matrix, diagonal zeroed: the row's value plays a, the column's b, but
        /// below the x block the matrix is the transpose of the one beside it (both orders computed within a sample).
        /// </summary>
        private double Entry(int i, int j)
        {
            if (i == j)
            {
                return 0;
            }

            var (a, b) = i >= _nx && j < _nx ? (j, i) : (i, j);
            return Math.Exp(-_gamma * Distance(_pooled[a], _pooled[b]));
        }
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
