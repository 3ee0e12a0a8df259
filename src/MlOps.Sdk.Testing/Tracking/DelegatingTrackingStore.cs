using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Storage;

namespace MlOps.Sdk.Testing.Tracking;

/// <summary>
/// A store that passes every call to another one. Derive from it and override what a test needs to slow down,
/// fail or observe — a full disk, a locked database — which a real store cannot be made to do on demand.
/// </summary>
public class DelegatingTrackingStore(TrackingStore inner) : TrackingStore
{
    /// <summary>The store calls are passed to.</summary>
    protected TrackingStore Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc />
    public override Task<Experiment> CreateExperimentAsync(string name, CancellationToken cancellationToken = default) => Inner.CreateExperimentAsync(name, cancellationToken);

    /// <inheritdoc />
    public override IAsyncEnumerable<ContentDigest> ListReferencedArtifactsAsync(CancellationToken cancellationToken = default) => Inner.ListReferencedArtifactsAsync(cancellationToken);

    /// <inheritdoc />
    public override Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default) => Inner.GetExperimentAsync(experimentId, cancellationToken);

    /// <inheritdoc />
    public override Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default) => Inner.GetExperimentByNameAsync(name, cancellationToken);

    /// <inheritdoc />
    public override Task<IReadOnlyList<Experiment>> ListExperimentsAsync(bool includeDeleted = false, CancellationToken cancellationToken = default) => Inner.ListExperimentsAsync(includeDeleted, cancellationToken);

    /// <inheritdoc />
    public override Task SetExperimentDeletedAsync(string experimentId, bool deleted, CancellationToken cancellationToken = default) => Inner.SetExperimentDeletedAsync(experimentId, deleted, cancellationToken);

    /// <inheritdoc />
    public override Task<RunInfo> CreateRunAsync(NewRun run, CancellationToken cancellationToken = default) => Inner.CreateRunAsync(run, cancellationToken);

    /// <inheritdoc />
    public override Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken = default) => Inner.GetRunAsync(runId, cancellationToken);

    /// <inheritdoc />
    public override Task EndRunAsync(string runId, RunStatus status, DateTimeOffset endTime, CancellationToken cancellationToken = default) => Inner.EndRunAsync(runId, status, endTime, cancellationToken);

    /// <inheritdoc />
    public override Task ImportRunsAsync(string experimentId, IReadOnlyList<RunImport> runs, CancellationToken cancellationToken = default) => Inner.ImportRunsAsync(experimentId, runs, cancellationToken);

    /// <inheritdoc />
    public override Task<TrackingWriteResult> WriteAsync(TrackingWriteBatch batch, CancellationToken cancellationToken = default) => Inner.WriteAsync(batch, cancellationToken);

    /// <inheritdoc />
    public override IAsyncEnumerable<Metric> ReadMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default) => Inner.ReadMetricHistoryAsync(runId, key, cancellationToken);

    /// <inheritdoc />
    public override Task<MetricSeriesSummary?> GetMetricSeriesAsync(string runId, string key, CancellationToken cancellationToken = default) => Inner.GetMetricSeriesAsync(runId, key, cancellationToken);

    /// <inheritdoc />
    public override Task RecordArtifactAsync(string runId, RunArtifact artifact, CancellationToken cancellationToken = default) => Inner.RecordArtifactAsync(runId, artifact, cancellationToken);

    /// <inheritdoc />
    public override Task<IReadOnlyList<Run>> SearchRunsAsync(RunSearchRequest request, CancellationToken cancellationToken = default) => Inner.SearchRunsAsync(request, cancellationToken);
}
