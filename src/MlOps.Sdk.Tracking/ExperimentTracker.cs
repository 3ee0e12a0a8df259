namespace MlOps.Sdk.Tracking;

/// <summary>The entry point of the Tracking layer: start runs, read them back, search them.</summary>
public abstract class ExperimentTracker
{
    /// <summary>Starts a run in <paramref name="experimentName"/>, creating the experiment if it does not exist.</summary>
    /// <param name="experimentName">The experiment's name.</param>
    /// <param name="runName">The run's name; a generated one when null.</param>
    /// <param name="tags">Tags to set at once.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="MlOpsValidationException">The experiment is deleted (restore it first), or a name or tag is not valid.</exception>
    public abstract Task<ActiveRun> StartRunAsync(string experimentName, string? runName = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Imports finished runs in bulk into <paramref name="experimentName"/> (created if it does not exist): each run with
    /// its params, tags, metric histories and dataset inputs, many runs to a write. The fast way to bring history from
    /// another system; live runs use <see cref="StartRunAsync"/>.
    /// </summary>
    /// <param name="experimentName">The experiment's name.</param>
    /// <param name="runs">The runs, read once, in order.</param>
    /// <param name="cancellationToken">Stops the import between writes; the runs written so far stay.</param>
    /// <returns>How many runs were imported.</returns>
    /// <exception cref="MlOpsValidationException">A run is not valid (a name, key, value, id or status); nothing of its write is stored.</exception>
    /// <exception cref="MlOpsConflictException">A run id is taken; nothing of its write is stored.</exception>
    public abstract Task<long> ImportRunsAsync(string experimentName, IEnumerable<RunImport> runs, CancellationToken cancellationToken = default);

    /// <summary>Creates an experiment.</summary>
    /// <exception cref="MlOpsConflictException">The name is taken.</exception>
    public abstract Task<Experiment> CreateExperimentAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Gets an experiment by name, or null.</summary>
    public abstract Task<Experiment?> GetExperimentAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists experiments by name.</summary>
    public abstract Task<IReadOnlyList<Experiment>> ListExperimentsAsync(bool includeDeleted = false, CancellationToken cancellationToken = default);

    /// <summary>Soft-deletes an experiment: it and its runs leave listings and searches, and come back on restore.</summary>
    public abstract Task DeleteExperimentAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Restores a soft-deleted experiment.</summary>
    public abstract Task RestoreExperimentAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Gets a run with its params, latest metrics, tags, inputs and artifacts, or null.</summary>
    public abstract Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Searches runs; see <see cref="Search.RunFilter"/> for the filter language.</summary>
    /// <exception cref="Search.FilterSyntaxException">The filter or an order clause is malformed.</exception>
    public abstract Task<RunSearchPage> SearchRunsAsync(RunSearchQuery query, CancellationToken cancellationToken = default);

    /// <summary>Reads every point of a metric series in the order it was logged.</summary>
    public abstract IAsyncEnumerable<Metric> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reduces a metric series to at most <paramref name="bucketCount"/> buckets of equal step width, each with its
    /// min, max and last point: a million-point series charted from a thousand points. When every point has the same
    /// step, buckets split the series by position instead.
    /// </summary>
    public abstract Task<IReadOnlyList<MetricBucket>> GetMetricBucketsAsync(string runId, string key, int bucketCount, CancellationToken cancellationToken = default);

    /// <summary>Opens an artifact of a run for reading; the stream verifies the content's digest when read to the end.</summary>
    /// <exception cref="MlOpsNotFoundException">The run or the artifact does not exist.</exception>
    public abstract Task<Stream> OpenArtifactAsync(string runId, string path, CancellationToken cancellationToken = default);

    /// <summary>Writes every artifact of a run below <paramref name="destinationDirectory"/>, verified; paths cannot leave it.</summary>
    public abstract Task DownloadArtifactsAsync(string runId, string destinationDirectory, CancellationToken cancellationToken = default);

    /// <summary>Returns once everything logged by every run of this tracker so far is durable.</summary>
    public abstract Task FlushAsync(CancellationToken cancellationToken = default);
}
