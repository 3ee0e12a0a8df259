using MlOps.Sdk.Tracking.Search;

namespace MlOps.Sdk.Tracking.Storage;

/// <summary>
/// The metadata store of the Tracking layer. Storage providers derive from it; the conformance suites in
/// <c>MlOps.Sdk.Storage.Conformance</c> define its behaviour. Every method that writes returns only once
/// the write is durable.
/// </summary>
/// <remarks>
/// A run whose status is running but whose lease has expired must be reported as <see cref="RunStatus.Killed"/>
/// with the lease's expiry as its end time, by reads and searches alike.
/// </remarks>
public abstract class TrackingStore
{
    /// <summary>Creates an experiment.</summary>
    /// <exception cref="MlOpsConflictException">An experiment with that name exists (deleted or not).</exception>
    public abstract Task<Experiment> CreateExperimentAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Gets an experiment by id, or null.</summary>
    public abstract Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>Gets an experiment by name, or null.</summary>
    public abstract Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists experiments by name.</summary>
    public abstract Task<IReadOnlyList<Experiment>> ListExperimentsAsync(bool includeDeleted = false, CancellationToken cancellationToken = default);

    /// <summary>Soft-deletes or restores an experiment.</summary>
    /// <exception cref="MlOpsNotFoundException">No experiment has that id.</exception>
    public abstract Task SetExperimentDeletedAsync(string experimentId, bool deleted, CancellationToken cancellationToken = default);

    /// <summary>Creates a running run holding a lease until <see cref="NewRun.LeaseExpiresAt"/>.</summary>
    /// <exception cref="MlOpsNotFoundException">The experiment does not exist.</exception>
    public abstract Task<RunInfo> CreateRunAsync(NewRun run, CancellationToken cancellationToken = default);

    /// <summary>Gets a run with its data, or null.</summary>
    public abstract Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Ends a run with a final status.</summary>
    /// <exception cref="MlOpsNotFoundException">No run has that id.</exception>
    public abstract Task EndRunAsync(string runId, RunStatus status, DateTimeOffset endTime, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a batch atomically: metric points, params, tags, dataset inputs and lease renewals.
    /// A param already stored with a different value is not overwritten; it is reported in the result.
    /// </summary>
    public abstract Task<TrackingWriteResult> WriteAsync(TrackingWriteBatch batch, CancellationToken cancellationToken = default);

    /// <summary>Reads every point of a metric series in the order it was logged.</summary>
    public abstract IAsyncEnumerable<Metric> ReadMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default);

    /// <summary>Gets the extent of a metric series, or null when the run has no such metric.</summary>
    public abstract Task<MetricSeriesSummary?> GetMetricSeriesAsync(string runId, string key, CancellationToken cancellationToken = default);

    /// <summary>Records an artifact of a run (the content is already in the artifact store). Logging a path again replaces it.</summary>
    public abstract Task RecordArtifactAsync(string runId, RunArtifact artifact, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes finished runs whole — info, params, tags, metric histories, inputs — into <paramref name="experimentId"/>.
    /// The runs are valid and have ids (<see cref="ExperimentTracker.ImportRunsAsync"/> checks them). This implementation
    /// checks every id, then writes the runs one at a time through the other methods (a failure midway keeps the runs
    /// before it); providers override it to write them all in one transaction.
    /// </summary>
    /// <exception cref="MlOpsNotFoundException">The experiment does not exist.</exception>
    /// <exception cref="MlOpsConflictException">A run id is taken.</exception>
    public virtual async Task ImportRunsAsync(string experimentId, IReadOnlyList<RunImport> runs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            var id = run.RunId ?? throw new ArgumentException("Every imported run needs an id.", nameof(runs));
            if (!ids.Add(id) || await GetRunAsync(id, cancellationToken).ConfigureAwait(false) is not null)
            {
                throw new MlOpsConflictException($"Run id '{id}' is taken; nothing of this write was stored.");
            }
        }

        var batch = new TrackingWriteBatch();
        foreach (var run in runs)
        {
            var id = run.RunId!;
            await CreateRunAsync(new NewRun(id, experimentId, run.Name, run.StartTime, run.StartTime, run.Tags), cancellationToken).ConfigureAwait(false);
            batch.Clear();
            batch.Metrics.AddRange(run.Metrics.Select(m => new MetricAppend(id, m.Key, m.Value.ToArray())));
            batch.Params.AddRange(run.Params.Select(p => new RunValue(id, p.Key, p.Value)));
            batch.Inputs.AddRange(run.Inputs.Select(i => new RunInput(id, i)));
            await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            await EndRunAsync(id, run.Status, run.EndTime, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Every artifact digest a run references (<see cref="RecordArtifactAsync"/>), each at least once, for garbage
    /// collection: content not listed here, by the registry or by the dataset store may be collected.
    /// </summary>
    public abstract IAsyncEnumerable<ContentDigest> ListReferencedArtifactsAsync(CancellationToken cancellationToken = default);

    /// <summary>Finds runs; see <see cref="RunFilter"/> for the meaning every provider must give the filter.</summary>
    public abstract Task<IReadOnlyList<Run>> SearchRunsAsync(RunSearchRequest request, CancellationToken cancellationToken = default);
}
