namespace MlOps.Sdk.Tracking;

/// <summary>A run with its parameters, latest metric values, tags, dataset inputs and artifacts.</summary>
/// <param name="Info">The run's attributes.</param>
/// <param name="Params">Parameters, written once.</param>
/// <param name="Metrics">The latest value of each metric (largest step, then latest time).</param>
/// <param name="Tags">Tags.</param>
/// <param name="Inputs">Dataset versions the run used.</param>
/// <param name="Artifacts">Artifacts logged by the run.</param>
public sealed record Run(
    RunInfo Info,
    IReadOnlyDictionary<string, string> Params,
    IReadOnlyDictionary<string, Metric> Metrics,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<DatasetInput> Inputs,
    IReadOnlyList<RunArtifact> Artifacts);
