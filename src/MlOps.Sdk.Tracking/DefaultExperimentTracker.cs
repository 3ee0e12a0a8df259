using System.Runtime.CompilerServices;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Tracking.Search;
using MlOps.Sdk.Tracking.Storage;
using MlOps.Sdk.Tracking.Writing;

namespace MlOps.Sdk.Tracking;

internal sealed class DefaultExperimentTracker(TrackingWriter writer, ArtifactStore artifacts, IActorIdentity identity) : ExperimentTracker
{
    /// <summary>The runs of one store write during an import.</summary>
    private const int ImportChunk = 5_000;

    private TrackingStore Store => writer.Store;

    public override async Task<ActiveRun> StartRunAsync(string experimentName, string? runName = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        var runId = Guid.NewGuid().ToString("N");
        var name = runName ?? $"run-{runId[..8]}";
        TrackingLimits.ValidateName(name, "run");
        tags = TrackingLimits.ValidateTags(tags ?? new Dictionary<string, string>(), identity.CurrentActor);

        var experiment = await GetOrCreateExperimentAsync(experimentName, cancellationToken).ConfigureAwait(false);
        if (experiment.IsDeleted)
        {
            throw new MlOpsValidationException($"Experiment '{experimentName}' is deleted; restore it before starting runs in it.");
        }

        var info = await Store.CreateRunAsync(
            new NewRun(runId, experiment.Id, name, writer.Time.GetUtcNow(), writer.NextLeaseExpiry(), tags), cancellationToken).ConfigureAwait(false);
        var run = new ActiveRun(info, writer, artifacts);
        writer.Track(run);
        TrackingLog.RunStarted(writer.Logger, runId, name, experiment.Id);
        return run;
    }

    public override async Task<long> ImportRunsAsync(string experimentName, IEnumerable<RunImport> runs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var experiment = await GetOrCreateExperimentAsync(experimentName, cancellationToken).ConfigureAwait(false);
        if (experiment.IsDeleted)
        {
            throw new MlOpsValidationException($"Experiment '{experimentName}' is deleted; restore it before importing runs into it.");
        }

        var user = identity.CurrentActor;
        long imported = 0;
        var chunk = new List<RunImport>(ImportChunk);
        foreach (var run in runs)
        {
            chunk.Add(RunImports.Prepare(run, user));
            if (chunk.Count == ImportChunk)
            {
                imported += await WriteChunkAsync().ConfigureAwait(false);
            }
        }

        return imported + await WriteChunkAsync().ConfigureAwait(false);

        async Task<int> WriteChunkAsync()
        {
            if (chunk.Count == 0)
            {
                return 0;
            }

            cancellationToken.ThrowIfCancellationRequested();
            await Store.ImportRunsAsync(experiment.Id, chunk, cancellationToken).ConfigureAwait(false);
            var count = chunk.Count;
            chunk.Clear();
            return count;
        }
    }

    public override Task<Experiment> CreateExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        TrackingLimits.ValidateName(name, "experiment");
        return Store.CreateExperimentAsync(name, cancellationToken);
    }

    public override Task<Experiment?> GetExperimentAsync(string name, CancellationToken cancellationToken = default) =>
        Store.GetExperimentByNameAsync(name, cancellationToken);

    public override Task<IReadOnlyList<Experiment>> ListExperimentsAsync(bool includeDeleted = false, CancellationToken cancellationToken = default) =>
        Store.ListExperimentsAsync(includeDeleted, cancellationToken);

    public override Task DeleteExperimentAsync(string name, CancellationToken cancellationToken = default) => SetDeletedAsync(name, true, cancellationToken);

    public override Task RestoreExperimentAsync(string name, CancellationToken cancellationToken = default) => SetDeletedAsync(name, false, cancellationToken);

    public override Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return Store.GetRunAsync(runId, cancellationToken);
    }

    public override async Task<RunSearchPage> SearchRunsAsync(RunSearchQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.MaxResults is < 1 or > TrackingLimits.MaxSearchResults)
        {
            throw new MlOpsValidationException($"MaxResults must be between 1 and {TrackingLimits.MaxSearchResults}; it is {query.MaxResults}.");
        }

        if (query.ExperimentNames.Count > TrackingLimits.MaxSearchExperiments)
        {
            throw new MlOpsValidationException($"A search names at most {TrackingLimits.MaxSearchExperiments} experiments; this one names {query.ExperimentNames.Count}. Search all experiments (name none) and filter on attributes.experiment_id instead.");
        }

        var filter = string.IsNullOrWhiteSpace(query.Filter) ? null : RunFilter.Parse(query.Filter);
        var orderBy = RunFilter.ParseOrderBy(query.OrderBy);
        var after = PageToken.Read(query, orderBy);
        var experimentIds = new List<string>();
        foreach (var name in query.ExperimentNames)
        {
            var experiment = await Store.GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false)
                ?? throw new MlOpsNotFoundException($"No experiment is named '{name}'.");
            experimentIds.Add(experiment.Id);
        }

        var runs = await Store.SearchRunsAsync(new RunSearchRequest(experimentIds, filter, orderBy, after, query.MaxResults + 1), cancellationToken).ConfigureAwait(false);
        if (runs.Count <= query.MaxResults)
        {
            return new RunSearchPage(runs, null);
        }

        var page = runs.Take(query.MaxResults).ToList();
        return new RunSearchPage(page, PageToken.Create(RunSortKey.Of(page[^1], orderBy), query));
    }

    public override IAsyncEnumerable<Metric> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default) =>
        Store.ReadMetricHistoryAsync(runId, key, cancellationToken);

    public override async Task<IReadOnlyList<MetricBucket>> GetMetricBucketsAsync(string runId, string key, int bucketCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketCount, 1);
        var summary = await Store.GetMetricSeriesAsync(runId, key, cancellationToken).ConfigureAwait(false);
        if (summary is null)
        {
            return [];
        }

        var downsampler = new MetricDownsampler(summary, bucketCount);
        await foreach (var point in Store.ReadMetricHistoryAsync(runId, key, cancellationToken).ConfigureAwait(false))
        {
            downsampler.Add(point);
        }

        return downsampler.Result();
    }

    public override async Task<Stream> OpenArtifactAsync(string runId, string path, CancellationToken cancellationToken = default)
    {
        var relative = RelativePath.Parse(path);
        var run = await RequireRunAsync(runId, cancellationToken).ConfigureAwait(false);
        var artifact = run.Artifacts.FirstOrDefault(a => a.Path == relative)
            ?? throw new MlOpsNotFoundException($"Run {runId} has no artifact '{path}'.");
        return await artifacts.OpenReadAsync(artifact.Digest, cancellationToken).ConfigureAwait(false);
    }

    public override async Task DownloadArtifactsAsync(string runId, string destinationDirectory, CancellationToken cancellationToken = default)
    {
        var destination = new ConfinedDirectory(destinationDirectory);
        var run = await RequireRunAsync(runId, cancellationToken).ConfigureAwait(false);

        // Every path is resolved before anything is written, so a bad entry leaves the destination untouched.
        var targets = run.Artifacts.Select(a => (a.Digest, Target: destination.Resolve(a.Path))).ToList();
        foreach (var (digest, target) in targets)
        {
            await artifacts.CopyToFileAsync(digest, target, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken = default) => writer.FlushAsync(cancellationToken);

    private async Task<Experiment> GetOrCreateExperimentAsync(string name, CancellationToken cancellationToken)
    {
        TrackingLimits.ValidateName(name, "experiment");
        var existing = await Store.GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing;
        }

        try
        {
            return await Store.CreateExperimentAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (MlOpsConflictException)
        {
            // Another process created it between the read and the write.
            return await Store.GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false)
                ?? throw new MlOpsNotFoundException($"Experiment '{name}' was created and removed concurrently.");
        }
    }

    private async Task SetDeletedAsync(string name, bool deleted, CancellationToken cancellationToken)
    {
        var experiment = await Store.GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new MlOpsNotFoundException($"No experiment is named '{name}'.");
        await Store.SetExperimentDeletedAsync(experiment.Id, deleted, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Run> RequireRunAsync(string runId, CancellationToken cancellationToken) =>
        await Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
        ?? throw new MlOpsNotFoundException($"No run has id '{runId}'.");
}
