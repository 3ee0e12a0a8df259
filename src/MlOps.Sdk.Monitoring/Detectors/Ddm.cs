namespace MlOps.Sdk.Monitoring;

/// <summary>
/// The Drift Detection Method (Gama et al. 2004) on a stream of errors (1) and successes (0), with River's parameters
/// and rule: the error rate p and its standard deviation s = √(p(1 − p)/n); after the warm start, the minimum of p + s
/// is kept, a warning when p + s &gt; p_min + 2·s_min and a change when p + s &gt; p_min + 3·s_min.
/// </summary>
/// <param name="warmStart">Values before a change may be signalled (River: 30).</param>
/// <param name="warningThreshold">The warning multiple of s_min (River: 2).</param>
/// <param name="driftThreshold">The change multiple of s_min (River: 3).</param>
public sealed class Ddm(int warmStart = 30, double warningThreshold = 2.0, double driftThreshold = 3.0) : IDriftDetector
{
    private long _n;
    private double _p;
    private double _pMin = double.PositiveInfinity;
    private double _sMin = double.PositiveInfinity;
    private double _psMin = double.PositiveInfinity;

    /// <inheritdoc />
    public bool DriftDetected { get; private set; }

    /// <summary>Whether the error rate is in the warning zone.</summary>
    public bool WarningDetected { get; private set; }

    /// <inheritdoc />
    /// <param name="value">1 for an error, 0 for a success (any non-zero value counts as an error).</param>
    public void Update(double value)
    {
        if (DriftDetected)
        {
            (_n, _p, _pMin, _sMin, _psMin) = (0, 0, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity);
            (DriftDetected, WarningDetected) = (false, false);
        }

        _n++;
        _p += ((value != 0 ? 1.0 : 0.0) - _p) / _n;
        var s = Math.Sqrt(_p * (1 - _p) / _n);
        if (_n <= warmStart)
        {
            return;
        }

        if (_p + s <= _psMin)
        {
            (_pMin, _sMin, _psMin) = (_p, s, _p + s);
        }

        WarningDetected = _p + s > _pMin + (warningThreshold * _sMin);
        if (_p + s > _pMin + (driftThreshold * _sMin))
        {
            (DriftDetected, WarningDetected) = (true, false);
        }
    }
}
