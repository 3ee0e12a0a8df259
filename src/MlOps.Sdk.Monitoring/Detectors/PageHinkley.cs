namespace MlOps.Sdk.Monitoring;

/// <summary>
/// The Page-Hinkley test for an increase of the mean (Page 1954), with River's parameters and update rule: the running
/// mean, a cumulative sum of x − mean − δ with forgetting factor α floored at 0, a change when the sum reaches λ after
/// the first <c>minInstances</c> values.
/// </summary>
/// <param name="minInstances">Values before a change may be signalled (River: 30).</param>
/// <param name="delta">The tolerated deviation δ (River: 0.005).</param>
/// <param name="threshold">The detection threshold λ (River: 50).</param>
/// <param name="alpha">The forgetting factor α (River: 1 − 0.0001).</param>
public sealed class PageHinkley(int minInstances = 30, double delta = 0.005, double threshold = 50, double alpha = 1 - 0.0001) : IDriftDetector
{
    private long _count = 1;
    private double _mean;
    private double _sum;

    /// <inheritdoc />
    public bool DriftDetected { get; private set; }

    /// <inheritdoc />
    public void Update(double value)
    {
        if (DriftDetected)
        {
            (_count, _mean, _sum) = (1, 0, 0);
        }

        _mean += (value - _mean) / _count;
        _sum = Math.Max(0.0, (alpha * _sum) + (value - _mean - delta));
        _count++;
        DriftDetected = _count >= minInstances && _sum >= threshold;
    }
}
