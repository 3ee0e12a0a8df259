using System.Globalization;
using System.Runtime.CompilerServices;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Search;
using MlOps.Sdk.Tracking.Storage;
using Npgsql;

namespace MlOps.Sdk.Storage.PostgreSql.Tracking;

internal sealed partial class PostgreSqlTrackingStore(PostgreSqlDatabase database, TimeProvider time) : TrackingStore
{
    private const int MaxPointsPerSegment = 16_384;
    private const string RunColumns = "r.run_id, r.experiment_id, r.name, r.status, r.start_time, r.end_time, r.lease_expires_at";

    public override async Task<Experiment> CreateExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        var createdAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        try
        {
            var id = await database.WriteAsync(
                async (c, t) => (long)(await Sql.ScalarAsync(c, t, "INSERT INTO experiments (name, created_at) VALUES ($1, $2) RETURNING experiment_id;", cancellationToken, name, createdAt).ConfigureAwait(false))!,
                cancellationToken).ConfigureAwait(false);
            return new Experiment(Id(id), name, FromMs(createdAt), false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new MlOpsConflictException($"An experiment named '{name}' already exists (it may be deleted: restore it or pick another name).");
        }
    }

    public override Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default) =>
        long.TryParse(experimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? ReadExperimentAsync("WHERE experiment_id = $1", id, cancellationToken)
            : Task.FromResult<Experiment?>(null);

    public override Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default) =>
        ReadExperimentAsync("WHERE name = $1", name, cancellationToken);

    public override async Task<IReadOnlyList<Experiment>> ListExperimentsAsync(bool includeDeleted = false, CancellationToken cancellationToken = default) =>
        await database.ReadAsync(
            (c, ct) => Sql.QueryAsync(c, null, "SELECT experiment_id, name, created_at, deleted FROM experiments" + (includeDeleted ? string.Empty : " WHERE NOT deleted") + " ORDER BY name;", ReadExperiment, ct),
            cancellationToken).ConfigureAwait(false);

    public override async Task SetExperimentDeletedAsync(string experimentId, bool deleted, CancellationToken cancellationToken = default)
    {
        var id = long.TryParse(experimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : -1;
        var changed = await database.WriteAsync(
            (c, t) => Sql.ExecuteAsync(c, t, "UPDATE experiments SET deleted = $1 WHERE experiment_id = $2;", cancellationToken, deleted, id),
            cancellationToken).ConfigureAwait(false);
        if (changed == 0)
        {
            throw new MlOpsNotFoundException($"No experiment has id '{experimentId}'.");
        }
    }

    public override async Task<RunInfo> CreateRunAsync(NewRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var start = run.StartTime.ToUnixTimeMilliseconds();
        try
        {
            await database.WriteAsync(
                async (c, t) =>
                {
                    await Sql.ExecuteAsync(
                        c,
                        t,
                        "INSERT INTO runs (run_id, experiment_id, name, status, start_time, lease_expires_at) VALUES ($1, $2, $3, 'RUNNING', $4, $5);",
                        cancellationToken,
                        run.RunId,
                        long.TryParse(run.ExperimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var exp) ? exp : -1,
                        run.Name,
                        start,
                        run.LeaseExpiresAt.ToUnixTimeMilliseconds()).ConfigureAwait(false);
                    foreach (var (key, value) in run.Tags)
                    {
                        await Sql.ExecuteAsync(c, t, "INSERT INTO tags (run_id, key, value, start_time) VALUES ($1, $2, $3, $4);", cancellationToken, run.RunId, key, value, start).ConfigureAwait(false);
                    }

                    return 0;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.IsConstraint())
        {
            throw new MlOpsNotFoundException($"No experiment has id '{run.ExperimentId}', or run id '{run.RunId}' is taken.");
        }

        return new RunInfo(run.RunId, run.ExperimentId, run.Name, RunStatus.Running, FromMs(start), null);
    }

    public override async Task EndRunAsync(string runId, RunStatus status, DateTimeOffset endTime, CancellationToken cancellationToken = default)
    {
        var changed = await database.WriteAsync(
            (c, t) => Sql.ExecuteAsync(c, t, "UPDATE runs SET status = $1, end_time = $2 WHERE run_id = $3;", cancellationToken, RunFilter.StatusText(status), endTime.ToUnixTimeMilliseconds(), runId),
            cancellationToken).ConfigureAwait(false);
        if (changed == 0)
        {
            throw new MlOpsNotFoundException($"No run has id '{runId}'.");
        }
    }

    public override async Task RecordArtifactAsync(string runId, RunArtifact artifact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        try
        {
            await database.WriteAsync(
                (c, t) => Sql.ExecuteAsync(
                    c,
                    t,
                    "INSERT INTO run_artifacts (run_id, path, digest, length) VALUES ($1, $2, $3, $4) ON CONFLICT (run_id, path) DO UPDATE SET digest = excluded.digest, length = excluded.length;",
                    cancellationToken,
                    runId,
                    artifact.Path.Value,
                    artifact.Digest.ToString(),
                    artifact.Length),
                cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.IsConstraint())
        {
            throw new MlOpsNotFoundException($"No run has id '{runId}'.");
        }
    }

    public override async Task<MetricSeriesSummary?> GetMetricSeriesAsync(string runId, string key, CancellationToken cancellationToken = default)
    {
        var rows = await database.ReadAsync(
            (c, ct) => Sql.QueryAsync(
                c,
                null,
                "SELECT point_count, min_step, max_step, last_step, last_timestamp, last_value FROM metric_series WHERE run_id = $1 AND key = $2;",
                r => new MetricSeriesSummary(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), StoredRows.Latest(r, 3)),
                ct,
                runId,
                key),
            cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public override async IAsyncEnumerable<Metric> ReadMetricHistoryAsync(string runId, string key, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Sql.Command(connection, null, "SELECT g.points FROM metric_segments g JOIN metric_series s ON s.series_id = g.series_id WHERE s.run_id = $1 AND s.key = $2 ORDER BY g.segment_id;", runId, key);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var points = new List<Metric>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        points.Clear();
                        MetricSegmentCodec.Decode(reader.GetFieldValue<byte[]>(0), points);
                        foreach (var point in points)
                        {
                            yield return point;
                        }
                    }
                }
            }
        }
    }

    public override async Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        var runs = await database.ReadAsync(
            async (c, ct) =>
            {
                var command = Sql.Command(c, null, $"SELECT {RunColumns} FROM runs r WHERE r.run_id = $1;", runId);
                await using (command.ConfigureAwait(false))
                {
                    return await LoadDataAsync(c, await ReadInfosAsync(command, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
                }
            },
            cancellationToken).ConfigureAwait(false);
        return runs.Count == 0 ? null : runs[0];
    }

    public override async Task<IReadOnlyList<Run>> SearchRunsAsync(RunSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await database.ReadAsync(
            async (c, ct) =>
            {
                var infos = new List<RunInfo>();
                foreach (var phase in PostgreSqlRunQuery.Plan(request, time.GetUtcNow().ToUnixTimeMilliseconds()))
                {
                    var command = new NpgsqlCommand(null, c);
                    await using (command.ConfigureAwait(false))
                    {
                        phase(command, request.Limit - infos.Count);
                        infos.AddRange(await ReadInfosAsync(command, ct).ConfigureAwait(false));
                    }

                    if (infos.Count >= request.Limit)
                    {
                        break;
                    }
                }

                return await LoadDataAsync(c, infos, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private Task<List<RunInfo>> ReadInfosAsync(NpgsqlCommand command, CancellationToken cancellationToken) =>
        StoredRows.ReadRunInfosAsync(command, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);

    private Task<Experiment?> ReadExperimentAsync(string where, object value, CancellationToken cancellationToken) =>
        database.ReadAsync(
            async (c, ct) => (await Sql.QueryAsync(c, null, "SELECT experiment_id, name, created_at, deleted FROM experiments " + where + ";", ReadExperiment, ct, value).ConfigureAwait(false)).FirstOrDefault(),
            cancellationToken);

    private static Experiment ReadExperiment(NpgsqlDataReader reader) =>
        new(Id(reader.GetInt64(0)), reader.GetString(1), FromMs(reader.GetInt64(2)), reader.GetBoolean(3));

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
