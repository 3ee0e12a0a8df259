namespace MlOps.Sdk.Tracking;

/// <summary>A range of steps of a metric series, reduced to what a chart needs.</summary>
/// <param name="FirstStep">The first step the bucket covers.</param>
/// <param name="LastStep">The last step the bucket covers.</param>
/// <param name="Count">How many points fell in the bucket.</param>
/// <param name="Min">The smallest value (NaN values are ignored; NaN when all were NaN).</param>
/// <param name="Max">The largest value (NaN values are ignored; NaN when all were NaN).</param>
/// <param name="Last">The point with the largest step in the bucket (the latest logged on ties).</param>
public readonly record struct MetricBucket(long FirstStep, long LastStep, long Count, double Min, double Max, Metric Last);
