using MlOps.Sdk.Testing.Tracking;
using MlOps.Sdk.Tracking;

namespace MlOps.Sdk.Benchmarks;

/// <summary>Keeps runs and experiments in memory and throws metric points away, so a hot-path benchmark does not measure storage.</summary>
internal sealed class DiscardingTrackingStore(TimeProvider time) : TrackingStore
{
    private readonly InMemoryTrackingStore _runs = new(time);

    public override Task<TrackingWriteResult> WriteAsync(TrackingWriteBatch batch, CancellationToken cancellationToken = default) =>
        Task.FromResult(TrackingWriteResult.Success);

    public override Task<Experiment> CreateExperimentAsync(string name, CancellationToken cancellationToken = default) => _runs.CreateExperimentAsync(name, cancellationToken);

    public override Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default) => _runs.GetExperimentAsync(experimentId, cancellationToken);

    public override Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default) => _runs.GetExperimentByNameAsync(name, cancellationToken);

    public override Task<IReadOnlyList<Experiment>> ListExperimentsAsync(bool includeDeleted = false, CancellationToken cancellationToken = default) => _runs.ListExperimentsAsync(includeDeleted, cancellationToken);

    public override Task SetExperimentDeletedAsync(string experimentId, bool deleted, CancellationToken cancellationToken = default) => _runs.SetExperimentDeletedAsync(experimentId, deleted, cancellationToken);

    public override Task<RunInfo> CreateRunAsync(NewRun run, CancellationToken cancellationToken = default) => _runs.CreateRunAsync(run, cancellationToken);

    public override Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken = default) => _runs.GetRunAsync(runId, cancellationToken);

    public override Task EndRunAsync(string runId, RunStatus status, DateTimeOffset endTime, CancellationToken cancellationToken = default) => _runs.EndRunAsync(runId, status, endTime, cancellationToken);

    public override IAsyncEnumerable<Metric> ReadMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default) => _runs.ReadMetricHistoryAsync(runId, key, cancellationToken);

    public override Task<MetricSeriesSummary?> GetMetricSeriesAsync(string runId, string key, CancellationToken cancellationToken = default) => _runs.GetMetricSeriesAsync(runId, key, cancellationToken);

    public override Task RecordArtifactAsync(string runId, RunArtifact artifact, CancellationToken cancellationToken = default) => _runs.RecordArtifactAsync(runId, artifact, cancellationToken);

    public override Task<IReadOnlyList<Run>> SearchRunsAsync(RunSearchRequest request, CancellationToken cancellationToken = default) => _runs.SearchRunsAsync(request, cancellationToken);
}
