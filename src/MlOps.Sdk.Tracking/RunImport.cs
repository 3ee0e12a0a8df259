namespace MlOps.Sdk.Tracking;

/// <summary>
/// A finished run to import whole — from another tracking system, a backup, or a benchmark's synthetic history — with
/// <see cref="ExperimentTracker.ImportRunsAsync"/>: written in bulk, without a live run's lease and background writer.
/// </summary>
/// <param name="Name">The run's name.</param>
/// <param name="Status">Its final status: finished, failed or killed.</param>
/// <param name="StartTime">When it started (kept to the millisecond).</param>
/// <param name="EndTime">When it ended; not before <paramref name="StartTime"/>.</param>
public sealed record RunImport(string Name, RunStatus Status, DateTimeOffset StartTime, DateTimeOffset EndTime)
{
    /// <summary>The run's id (1 to 64 letters, digits, <c>-</c> or <c>_</c>, unique in the store); a new one when null.</summary>
    public string? RunId { get; init; }

    /// <summary>The run's params.</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    /// <summary>The run's tags; the importing user is recorded as <c>mlflow.user</c> unless the tags name one.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>Each metric's points, in the order they were logged.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Metric>> Metrics { get; init; } = new Dictionary<string, IReadOnlyList<Metric>>();

    /// <summary>The datasets the run read.</summary>
    public IReadOnlyList<DatasetInput> Inputs { get; init; } = [];
}
