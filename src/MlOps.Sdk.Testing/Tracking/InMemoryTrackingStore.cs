using System.Globalization;
using System.Runtime.CompilerServices;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Search;
using MlOps.Sdk.Tracking.Storage;

namespace MlOps.Sdk.Testing.Tracking;

/// <summary>A tracking store in memory, with the same behaviour as the durable providers.</summary>
public sealed class InMemoryTrackingStore(TimeProvider time) : TrackingStore
{
    private readonly Lock _lock = new();
    private readonly List<Experiment> _experiments = [];
    private readonly Dictionary<string, StoredRun> _runs = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override Task<Experiment> CreateExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_experiments.Exists(e => e.Name == name))
            {
                throw new MlOpsConflictException($"An experiment named '{name}' already exists (it may be deleted: restore it or pick another name).");
            }

            var experiment = new Experiment((_experiments.Count + 1).ToString(CultureInfo.InvariantCulture), name, Truncate(time.GetUtcNow()), false);
            _experiments.Add(experiment);
            return Task.FromResult(experiment);
        }
    }

    /// <inheritdoc />
    public override Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_experiments.Find(e => e.Id == experimentId));
        }
    }

    /// <inheritdoc />
    public override Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_experiments.Find(e => e.Name == name));
        }
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<Experiment>> ListExperimentsAsync(bool includeDeleted = false, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<Experiment> list = _experiments.Where(e => includeDeleted || !e.IsDeleted).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc />
    public override Task SetExperimentDeletedAsync(string experimentId, bool deleted, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var index = _experiments.FindIndex(e => e.Id == experimentId);
            if (index < 0)
            {
                throw new MlOpsNotFoundException($"No experiment has id '{experimentId}'.");
            }

            _experiments[index] = _experiments[index] with { IsDeleted = deleted };
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc />
    public override Task<RunInfo> CreateRunAsync(NewRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_lock)
        {
            if (!_experiments.Exists(e => e.Id == run.ExperimentId) || _runs.ContainsKey(run.RunId))
            {
                throw new MlOpsNotFoundException($"No experiment has id '{run.ExperimentId}', or run id '{run.RunId}' is taken.");
            }

            var stored = new StoredRun(run.RunId, run.ExperimentId, run.Name, Truncate(run.StartTime), run.LeaseExpiresAt.ToUnixTimeMilliseconds());
            foreach (var (key, value) in run.Tags)
            {
                stored.Tags[key] = value;
            }

            _runs[run.RunId] = stored;
            return Task.FromResult(stored.Info(long.MinValue));
        }
    }

    /// <inheritdoc />
    public override Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_runs.TryGetValue(runId, out var run) ? run.Snapshot(Now()) : null);
        }
    }

    /// <inheritdoc />
    public override Task EndRunAsync(string runId, RunStatus status, DateTimeOffset endTime, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var run = Require(runId);
            run.Status = status;
            run.EndTime = Truncate(endTime);
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc />
    public override Task<TrackingWriteResult> WriteAsync(TrackingWriteBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_lock)
        {
            // Validate first: a batch is applied whole or not at all.
            foreach (var runId in batch.Metrics.Select(m => m.RunId).Concat(batch.Params.Select(p => p.RunId))
                         .Concat(batch.Tags.Select(t => t.RunId)).Concat(batch.Inputs.Select(i => i.RunId)))
            {
                Require(runId);
            }

            foreach (var append in batch.Metrics)
            {
                _runs[append.RunId].Append(append.Key, append.Points.Span);
            }

            var conflicts = new List<ParamConflict>();
            foreach (var param in batch.Params)
            {
                var run = _runs[param.RunId];
                if (!run.Params.TryAdd(param.Key, param.Value) && run.Params[param.Key] != param.Value)
                {
                    conflicts.Add(new ParamConflict(param.RunId, param.Key, run.Params[param.Key], param.Value));
                }
            }

            foreach (var tag in batch.Tags)
            {
                if (tag.Value is null)
                {
                    _runs[tag.RunId].Tags.Remove(tag.Key);
                }
                else
                {
                    _runs[tag.RunId].Tags[tag.Key] = tag.Value;
                }
            }

            foreach (var input in batch.Inputs)
            {
                var inputs = _runs[input.RunId].Inputs;
                if (!inputs.Contains(input.Input))
                {
                    inputs.Add(input.Input);
                }
            }

            foreach (var runId in batch.LeaseRenewals)
            {
                if (_runs.TryGetValue(runId, out var run) && run.Status == RunStatus.Running)
                {
                    run.LeaseExpiresAt = batch.LeaseExpiresAt.ToUnixTimeMilliseconds();
                }
            }

            return Task.FromResult(conflicts.Count == 0 ? TrackingWriteResult.Success : new TrackingWriteResult(conflicts));
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<Metric> ReadMetricHistoryAsync(string runId, string key, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Metric[] points;
        lock (_lock)
        {
            points = _runs.TryGetValue(runId, out var run) && run.Series.TryGetValue(key, out var series) ? series.ToArray() : [];
        }

        foreach (var point in points)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return point;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override Task<MetricSeriesSummary?> GetMetricSeriesAsync(string runId, string key, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_runs.TryGetValue(runId, out var run) || !run.Series.TryGetValue(key, out var series) || series.Count == 0)
            {
                return Task.FromResult<MetricSeriesSummary?>(null);
            }

            return Task.FromResult<MetricSeriesSummary?>(new MetricSeriesSummary(series.Count, series.Min(p => p.Step), series.Max(p => p.Step), run.Latest[key]));
        }
    }

    /// <inheritdoc />
    public override Task RecordArtifactAsync(string runId, RunArtifact artifact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        lock (_lock)
        {
            Require(runId).Artifacts[artifact.Path.Value] = artifact;
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<Run>> SearchRunsAsync(RunSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            var now = Now();
            var experiments = request.ExperimentIds.Count > 0
                ? request.ExperimentIds.ToHashSet(StringComparer.Ordinal)
                : _experiments.Where(e => !e.IsDeleted).Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
            var order = new RunOrderComparer(request.OrderBy);
            IReadOnlyList<Run> page = _runs.Values
                .Where(r => experiments.Contains(r.ExperimentId))
                .Select(r => r.Snapshot(now))
                .Where(r => request.Filter is null || request.Filter.Matches(r))
                .Where(r => request.After is null || order.Compare(RunSortKey.Of(r, request.OrderBy), request.After) > 0)
                .Order(order)
                .Take(request.Limit)
                .ToList();
            return Task.FromResult(page);
        }
    }

    private StoredRun Require(string runId) =>
        _runs.TryGetValue(runId, out var run) ? run : throw new MlOpsNotFoundException($"No run has id '{runId}'.");

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset Truncate(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());

    /// <inheritdoc />
    public override async IAsyncEnumerable<ContentDigest> ListReferencedArtifactsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<ContentDigest> digests;
        lock (_lock)
        {
            digests = [.. _runs.Values.SelectMany(r => r.Artifacts.Values).Select(a => a.Digest)];
        }

        foreach (var digest in digests)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return digest;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
