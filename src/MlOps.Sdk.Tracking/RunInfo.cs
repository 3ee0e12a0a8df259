namespace MlOps.Sdk.Tracking;

/// <summary>The attributes of a run.</summary>
/// <param name="RunId">The run's identifier (32 lowercase hexadecimal characters).</param>
/// <param name="ExperimentId">The experiment the run belongs to.</param>
/// <param name="Name">The run's name.</param>
/// <param name="Status">The run's status; a running run whose lease expired reads as <see cref="RunStatus.Killed"/>.</param>
/// <param name="StartTime">When the run started.</param>
/// <param name="EndTime">When the run ended; for a run killed by lease expiry, when its lease expired.</param>
public sealed record RunInfo(string RunId, string ExperimentId, string Name, RunStatus Status, DateTimeOffset StartTime, DateTimeOffset? EndTime);
