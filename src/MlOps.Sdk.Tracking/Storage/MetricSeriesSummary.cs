namespace MlOps.Sdk.Tracking.Storage;

/// <summary>The extent of a metric series.</summary>
/// <param name="Count">How many points it holds.</param>
/// <param name="MinStep">The smallest step.</param>
/// <param name="MaxStep">The largest step.</param>
/// <param name="Latest">The latest value (largest step, then latest time).</param>
public sealed record MetricSeriesSummary(long Count, long MinStep, long MaxStep, Metric Latest);
