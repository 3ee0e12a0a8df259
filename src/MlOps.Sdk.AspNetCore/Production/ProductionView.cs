namespace MlOps.Sdk.AspNetCore.Management;

/// <summary>A model served in this application, in the production list.</summary>
/// <param name="Name">The host's name.</param>
/// <param name="Version">The version it serves now, or null when none (or when it runs in another process).</param>
/// <param name="Predictions">Predictions in the last ten minutes.</param>
/// <param name="Errors">Failed predictions in the last ten minutes.</param>
/// <param name="Monitored">Whether a drift monitor watches it.</param>
public sealed record ProductionSummary(string Name, int? Version, long Predictions, long Errors, bool Monitored);

/// <summary>How a model serves and drifts in this application.</summary>
/// <param name="Name">The host's name.</param>
/// <param name="Version">The version it serves now, or null.</param>
/// <param name="Serving">Prediction rate, errors and latency from the serving meters, or null before the first prediction.</param>
/// <param name="Drift">The monitor's last windows, oldest first (at most 100), each with every feature's verdict.</param>
/// <param name="FiringAlerts">The monitor's alert rules that fire now.</param>
/// <param name="Monitored">Whether a drift monitor watches it.</param>
public sealed record ProductionView(string Name, int? Version, ServingSnapshot? Serving, IReadOnlyList<DriftWindow> Drift, IReadOnlyList<string> FiringAlerts, bool Monitored);

/// <summary>The serving meters of one model over the last ten minutes.</summary>
/// <param name="SlotSeconds">The length of each slot.</param>
/// <param name="Slots">Consecutive slots, oldest first; the last is the one in progress.</param>
/// <param name="Shadow">Shadow comparisons since the application started, by outcome (<c>agree</c>, <c>disagree</c>, ...).</param>
public sealed record ServingSnapshot(double SlotSeconds, IReadOnlyList<ServingSlot> Slots, IReadOnlyDictionary<string, long> Shadow);

/// <summary>One slot of the serving meters.</summary>
/// <param name="Start">When the slot started.</param>
/// <param name="Predictions">Predictions served.</param>
/// <param name="Errors">Predictions that failed.</param>
/// <param name="LatencyP50">Median latency in seconds (within 10%), or null without predictions.</param>
/// <param name="LatencyP95">95th percentile latency in seconds (within 10%), or null without predictions.</param>
public sealed record ServingSlot(DateTimeOffset Start, long Predictions, long Errors, double? LatencyP50, double? LatencyP95);

/// <summary>One closed monitoring window.</summary>
/// <param name="ClosedAt">When the window closed.</param>
/// <param name="Rows">Rows in the window.</param>
/// <param name="DriftedShare">The share of features that drifted.</param>
/// <param name="DatasetDrifted">Whether the share reached the dataset-drift threshold.</param>
/// <param name="Features">Each feature's test, score, threshold and verdict.</param>
public sealed record DriftWindow(DateTimeOffset ClosedAt, int Rows, double DriftedShare, bool DatasetDrifted, IReadOnlyList<FeatureVerdict> Features);

/// <summary>A feature's verdict in one window.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Test">The test (<c>ks</c>, <c>chisquare</c>, <c>z</c>, <c>wasserstein</c>, <c>jensenshannon</c>, <c>none</c>).</param>
/// <param name="Score">The p-value or distance; NaN when the window had no values.</param>
/// <param name="Threshold">The threshold it was held to.</param>
/// <param name="IsPValue">Whether the score is a p-value (drift below the threshold) or a distance (drift at or above it).</param>
/// <param name="Drifted">The verdict.</param>
public sealed record FeatureVerdict(string Feature, string Test, double Score, double Threshold, bool IsPValue, bool Drifted);
