using MlOps.Sdk.Testing.Tracking;

namespace MlOps.Sdk.Tracking.Tests.Writing;

/// <summary>
/// An in-memory store whose writes can be held back or made to fail: stands in for a slow or broken database,
/// which cannot be produced on demand with a real one.
/// </summary>
internal sealed class GatedStore(TimeProvider time) : TrackingStore
{
    private readonly InMemoryTrackingStore _inner = new(time);
    private TaskCompletionSource _gate = CreateOpen();

    public int FailuresToInject { get; set; }

    public int Attempts { get; private set; }

    public void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _gate.TrySetResult();

    public override async Task<TrackingWriteResult> WriteAsync(TrackingWriteBatch batch, CancellationToken cancellationToken = default)
    {
        Attempts++;
        await _gate.Task.WaitAsync(cancellationToken);
        if (FailuresToInject > 0)
        {
            FailuresToInject--;
            throw new IOException("disk I/O error (injected)");
        }

        return await _inner.WriteAsync(batch, cancellationToken);
    }

    public override Task<Experiment> CreateExperimentAsync(string name, CancellationToken cancellationToken = default) => _inner.CreateExperimentAsync(name, cancellationToken);

    public override Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default) => _inner.GetExperimentAsync(experimentId, cancellationToken);

    public override Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default) => _inner.GetExperimentByNameAsync(name, cancellationToken);

    public override Task<IReadOnlyList<Experiment>> ListExperimentsAsync(bool includeDeleted = false, CancellationToken cancellationToken = default) => _inner.ListExperimentsAsync(includeDeleted, cancellationToken);

    public override Task SetExperimentDeletedAsync(string experimentId, bool deleted, CancellationToken cancellationToken = default) => _inner.SetExperimentDeletedAsync(experimentId, deleted, cancellationToken);

    public override Task<RunInfo> CreateRunAsync(NewRun run, CancellationToken cancellationToken = default) => _inner.CreateRunAsync(run, cancellationToken);

    public override Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken = default) => _inner.GetRunAsync(runId, cancellationToken);

    public override Task EndRunAsync(string runId, RunStatus status, DateTimeOffset endTime, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _inner.EndRunAsync(runId, status, endTime, cancellationToken);
    }

    public override IAsyncEnumerable<Metric> ReadMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default) => _inner.ReadMetricHistoryAsync(runId, key, cancellationToken);

    public override Task<MetricSeriesSummary?> GetMetricSeriesAsync(string runId, string key, CancellationToken cancellationToken = default) => _inner.GetMetricSeriesAsync(runId, key, cancellationToken);

    public override Task RecordArtifactAsync(string runId, RunArtifact artifact, CancellationToken cancellationToken = default) => _inner.RecordArtifactAsync(runId, artifact, cancellationToken);

    public override Task<IReadOnlyList<Run>> SearchRunsAsync(RunSearchRequest request, CancellationToken cancellationToken = default) => _inner.SearchRunsAsync(request, cancellationToken);

    private static TaskCompletionSource CreateOpen()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}
