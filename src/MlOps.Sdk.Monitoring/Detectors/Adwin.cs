namespace MlOps.Sdk.Monitoring;

/// <summary>
/// ADWIN, adaptive windowing (Bifet and Gavaldà 2007), as River implements it: an exponential histogram of buckets
/// (at most 5 per size), the window's total and variance kept incrementally, and every 32 values each cut into an older
/// and a newer part is tested against ε = √(2·m·σ²·δ′) + ⅔·δ′·m with δ′ = ln(2 ln(width)/δ); a change drops the oldest
/// bucket (repeatedly while cuts still differ), and the detector starts afresh on the next value.
/// </summary>
/// <param name="delta">The confidence δ (River: 0.002).</param>
public sealed class Adwin(double delta = 0.002) : IDriftDetector
{
    private const int MaxBuckets = 5;
    private const int Clock = 32;
    private const int GracePeriod = 10;
    private const int MinWindowLength = 5;
    private Window _window = new();

    /// <inheritdoc />
    public bool DriftDetected { get; private set; }

    /// <summary>The number of values in the window.</summary>
    public double Width => _window.Width;

    /// <summary>The mean of the window.</summary>
    public double Estimation => _window.Width == 0 ? 0 : _window.Total / _window.Width;

    /// <inheritdoc />
    public void Update(double value)
    {
        if (DriftDetected)
        {
            _window = new Window();
        }

        _window.Insert(value);
        DriftDetected = _window.DetectChange(delta);
    }

    /// <summary>One row of the histogram: up to <see cref="MaxBuckets"/> + 1 buckets of 2^row values each.</summary>
    private sealed class Row
    {
        public readonly double[] Totals = new double[MaxBuckets + 1];
        public readonly double[] Variances = new double[MaxBuckets + 1];
        public int Count;

        public void Add(double total, double variance)
        {
            Totals[Count] = total;
            Variances[Count] = variance;
            Count++;
        }

        /// <summary>Drops the <paramref name="n"/> oldest buckets.</summary>
        public void RemoveOldest(int n)
        {
            Array.Copy(Totals, n, Totals, 0, Totals.Length - n);
            Array.Copy(Variances, n, Variances, 0, Variances.Length - n);
            Array.Clear(Totals, Totals.Length - n, n);
            Array.Clear(Variances, Variances.Length - n, n);
            Count -= n;
        }
    }

    private sealed class Window
    {
        private readonly List<Row> _rows = [new Row()];
        private long _tick;

        public double Width { get; private set; }

        public double Total { get; private set; }

        private double Variance { get; set; }

        public void Insert(double value)
        {
            _rows[0].Add(value, 0.0);
            Width++;
            if (Width > 1)
            {
                var deviation = value - (Total / (Width - 1));
                Variance += (Width - 1) * deviation * deviation / Width;
            }

            Total += value;
            Compress();
        }

        public bool DetectChange(double delta)
        {
            var changed = false;
            _tick++;
            if (_tick % Clock != 0 || Width <= GracePeriod)
            {
                return false;
            }

            for (var reduce = true; reduce;)
            {
                reduce = false;
                double n0 = 0, n1 = Width, u0 = 0, u1 = Total, v0 = 0, v1 = Variance;
                var done = false;
                for (var r = _rows.Count - 1; r >= 0 && !done; r--)
                {
                    var row = _rows[r];
                    var size = Math.Pow(2, r);
                    for (var k = 0; k < row.Count - 1; k++)
                    {
                        var u2 = row.Totals[k];
                        var mu2 = u2 / size;
                        if (n0 > 0)
                        {
                            var mu0 = u0 / n0;
                            v0 += row.Variances[k] + (n0 * size * (mu0 - mu2) * (mu0 - mu2) / (n0 + size));
                        }

                        if (n1 > 0)
                        {
                            var mu1 = u1 / n1;
                            v1 -= row.Variances[k] + (n1 * size * (mu1 - mu2) * (mu1 - mu2) / (n1 + size));
                        }

                        n0 += size;
                        n1 -= size;
                        u0 += u2;
                        u1 -= u2;
                        if (r == 0 && k == row.Count - 1)
                        {
                            done = true;
                            break;
                        }

                        var meanDifference = (u0 / n0) - (u1 / n1);
                        if (n1 >= MinWindowLength && n0 >= MinWindowLength && Cut(n0, n1, meanDifference, delta))
                        {
                            reduce = true;
                            changed = true;
                            if (Width > 0)
                            {
                                DeleteOldest();
                                done = true;
                                break;
                            }
                        }
                    }
                }
            }

            return changed;
        }

        private bool Cut(double n0, double n1, double meanDifference, double delta)
        {
            var deltaPrime = Math.Log(2 * Math.Log(Width) / delta);
            var m = (1.0 / (n0 - MinWindowLength + 1)) + (1.0 / (n1 - MinWindowLength + 1));
            var epsilon = Math.Sqrt(2 * m * (Variance / Width) * deltaPrime) + (2.0 / 3 * deltaPrime * m);
            return Math.Abs(meanDifference) > epsilon;
        }

        private void DeleteOldest()
        {
            var last = _rows[^1];
            var n = Math.Pow(2, _rows.Count - 1);
            var u = last.Totals[0];
            var mu = u / n;
            var v = last.Variances[0];
            Width -= n;
            Total -= u;
            var windowMean = Total / Width;
            Variance -= v + (n * Width * (mu - windowMean) * (mu - windowMean) / (n + Width));
            last.RemoveOldest(1);
            if (last.Count == 0)
            {
                _rows.RemoveAt(_rows.Count - 1);
            }
        }

        private void Compress()
        {
            for (var r = 0; r < _rows.Count; r++)
            {
                var row = _rows[r];
                if (row.Count != MaxBuckets + 1)
                {
                    return;
                }

                if (r + 1 == _rows.Count)
                {
                    _rows.Add(new Row());
                }

                var next = _rows[r + 1];
                var size = Math.Pow(2, r);
                var (mu1, mu2) = (row.Totals[0] / size, row.Totals[1] / size);
                next.Add(row.Totals[0] + row.Totals[1], row.Variances[0] + row.Variances[1] + (size * size * (mu1 - mu2) * (mu1 - mu2) / (size + size)));
                row.RemoveOldest(2);
                if (next.Count <= MaxBuckets)
                {
                    return;
                }
            }
        }
    }
}
