using MlOps.Sdk.Monitoring;

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
/// <param name="Drift">
/// The last windows of the monitor's history, oldest first (at most 100), each with every feature's verdict — inputs'
/// windows and, for a version watched for prediction drift, windows of its predictions (features <c>prediction.*</c>).
/// </param>
/// <param name="Performance">
/// The last windows of estimated performance in the monitor's history (<c>History.Add(estimate, ...)</c>), oldest first
/// (at most 100), each with the realised metrics once its labels are in.
/// </param>
/// <param name="FiringAlerts">The monitor's alert rules that fire now.</param>
/// <param name="Monitored">Whether a drift monitor watches it.</param>
public sealed record ProductionView(string Name, int? Version, ServingSnapshot? Serving, IReadOnlyList<DriftWindow> Drift, IReadOnlyList<PerformanceWindow> Performance, IReadOnlyList<string> FiringAlerts, bool Monitored);

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
