namespace MlOps.Sdk.Tracking;

/// <summary>One value of a metric.</summary>
/// <param name="Value">The value; NaN and infinities are kept.</param>
/// <param name="Step">The step (epoch, iteration, ...), 0 when not given.</param>
/// <param name="Timestamp">When the value was logged, in milliseconds since the Unix epoch.</param>
public readonly record struct Metric(double Value, long Step, long Timestamp);
