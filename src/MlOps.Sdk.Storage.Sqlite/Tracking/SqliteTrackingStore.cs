using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Search;
using MlOps.Sdk.Tracking.Storage;

namespace MlOps.Sdk.Storage.Sqlite.Tracking;

internal sealed partial class SqliteTrackingStore(SqliteDatabase database, TimeProvider time) : TrackingStore
{
    private const int MaxPointsPerSegment = 16_384;

    public override async Task<Experiment> CreateExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        var createdAt = time.GetUtcNow();
        try
        {
            return await database.WriteAsync(
                async (connection, transaction) =>
                {
                    var id = (long)(await SqlCommand.ScalarAsync(connection, transaction, "INSERT INTO experiments (name, created_at) VALUES ($name, $created) RETURNING experiment_id;", cancellationToken, ("$name", name), ("$created", createdAt.ToUnixTimeMilliseconds())).ConfigureAwait(false))!;
                    return new Experiment(Id(id), name, FromMs(createdAt.ToUnixTimeMilliseconds()), false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new MlOpsConflictException($"An experiment named '{name}' already exists (it may be deleted: restore it or pick another name).");
        }
    }

    public override Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default) =>
        long.TryParse(experimentId, out var id)
            ? ReadExperimentAsync("WHERE experiment_id = $v", id, cancellationToken)
            : Task.FromResult<Experiment?>(null);

    public override Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default) =>
        ReadExperimentAsync("WHERE name = $v", name, cancellationToken);

    public override async Task<IReadOnlyList<Experiment>> ListExperimentsAsync(bool includeDeleted = false, CancellationToken cancellationToken = default)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await SqlCommand.QueryAsync(connection, null, "SELECT experiment_id, name, created_at, deleted FROM experiments" + (includeDeleted ? string.Empty : " WHERE deleted = 0") + " ORDER BY name;", ReadExperiment, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task SetExperimentDeletedAsync(string experimentId, bool deleted, CancellationToken cancellationToken = default)
    {
        var changed = await database.WriteAsync(
            (connection, transaction) => SqlCommand.ExecuteAsync(connection, transaction, "UPDATE experiments SET deleted = $d WHERE experiment_id = $id;", cancellationToken, ("$d", deleted ? 1 : 0), ("$id", long.TryParse(experimentId, out var id) ? id : -1)),
            cancellationToken).ConfigureAwait(false);
        if (changed == 0)
        {
            throw new MlOpsNotFoundException($"No experiment has id '{experimentId}'.");
        }
    }

    public override async Task<RunInfo> CreateRunAsync(NewRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            await database.WriteAsync(
                async (connection, transaction) =>
                {
                    await SqlCommand.ExecuteAsync(
                        connection,
                        transaction,
                        "INSERT INTO runs (run_id, experiment_id, name, status, start_time, lease_expires_at) VALUES ($id, $exp, $name, 'RUNNING', $start, $lease);",
                        cancellationToken,
                        ("$id", run.RunId),
                        ("$exp", long.TryParse(run.ExperimentId, out var exp) ? exp : -1),
                        ("$name", run.Name),
                        ("$start", run.StartTime.ToUnixTimeMilliseconds()),
                        ("$lease", run.LeaseExpiresAt.ToUnixTimeMilliseconds())).ConfigureAwait(false);

                    foreach (var (key, value) in run.Tags)
                    {
                        await SetTagAsync(connection, transaction, new RunTag(run.RunId, key, value), cancellationToken).ConfigureAwait(false);
                    }

                    return 0;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new MlOpsNotFoundException($"No experiment has id '{run.ExperimentId}', or run id '{run.RunId}' is taken.");
        }

        return new RunInfo(run.RunId, run.ExperimentId, run.Name, RunStatus.Running, FromMs(run.StartTime.ToUnixTimeMilliseconds()), null);
    }

    public override async Task EndRunAsync(string runId, RunStatus status, DateTimeOffset endTime, CancellationToken cancellationToken = default)
    {
        var changed = await database.WriteAsync(
            (connection, transaction) => SqlCommand.ExecuteAsync(connection, transaction, "UPDATE runs SET status = $status, end_time = $end WHERE run_id = $id;", cancellationToken, ("$status", RunFilter.StatusText(status)), ("$end", endTime.ToUnixTimeMilliseconds()), ("$id", runId)),
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
                (connection, transaction) => SqlCommand.ExecuteAsync(
                    connection,
                    transaction,
                    "INSERT INTO run_artifacts (run_id, path, digest, length) VALUES ($id, $path, $digest, $length) ON CONFLICT (run_id, path) DO UPDATE SET digest = excluded.digest, length = excluded.length;",
                    cancellationToken,
                    ("$id", runId),
                    ("$path", artifact.Path.Value),
                    ("$digest", artifact.Digest.ToString()),
                    ("$length", artifact.Length)),
                cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new MlOpsNotFoundException($"No run has id '{runId}'.");
        }
    }

    public override async Task<MetricSeriesSummary?> GetMetricSeriesAsync(string runId, string key, CancellationToken cancellationToken = default)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var rows = await SqlCommand.QueryAsync(
                connection,
                null,
                "SELECT point_count, min_step, max_step, last_step, last_timestamp, last_value FROM metric_series WHERE run_id = $id AND key = $key;",
                r => new MetricSeriesSummary(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), StoredRows.Latest(r, 3)),
                cancellationToken,
                ("$id", runId),
                ("$key", key)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }
    }

    public override async IAsyncEnumerable<Metric> ReadMetricHistoryAsync(string runId, string key, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = SqlCommand.Create(connection, null, "SELECT g.points FROM metric_segments g JOIN metric_series s ON s.series_id = g.series_id WHERE s.run_id = $id AND s.key = $key ORDER BY g.segment_id;");
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.AddWithValue("$id", runId);
                command.Parameters.AddWithValue("$key", key);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var points = new List<Metric>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        points.Clear();
                        MetricSegmentCodec.Decode((byte[])reader.GetValue(0), points);
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
        var runs = await LoadRunsAsync("WHERE r.run_id = $p0", [runId], cancellationToken).ConfigureAwait(false);
        return runs.Count == 0 ? null : runs[0];
    }

    public override async Task<IReadOnlyList<Run>> SearchRunsAsync(RunSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (request.Filter is not null && SqliteRunQuery.UsesILike(request.Filter.Root))
            {
                SqliteDatabase.AddILikeFunction(connection);
            }

            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                var infos = new List<RunInfo>();
                foreach (var phase in SqliteRunQuery.Plan(request, time.GetUtcNow().ToUnixTimeMilliseconds()))
                {
                    phase(command, request.Limit - infos.Count);
                    infos.AddRange(await ReadInfosAsync(command, cancellationToken).ConfigureAwait(false));
                    if (infos.Count >= request.Limit)
                    {
                        break;
                    }
                }

                return await LoadDataAsync(connection, infos, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<IReadOnlyList<Run>> LoadRunsAsync(string where, object[] parameters, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = SqlCommand.Create(connection, null, "SELECT r.run_id, r.experiment_id, r.name, r.status, r.start_time, r.end_time, r.lease_expires_at FROM runs r " + where + ";");
            await using (command.ConfigureAwait(false))
            {
                for (var i = 0; i < parameters.Length; i++)
                {
                    command.Parameters.AddWithValue("$p" + i, parameters[i]);
                }

                var infos = await ReadInfosAsync(command, cancellationToken).ConfigureAwait(false);
                return await LoadDataAsync(connection, infos, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task<List<RunInfo>> ReadInfosAsync(SqliteCommand command, CancellationToken cancellationToken) =>
        StoredRows.ReadRunInfosAsync(command, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);

    private async Task<Experiment?> ReadExperimentAsync(string where, object value, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var rows = await SqlCommand.QueryAsync(connection, null, "SELECT experiment_id, name, created_at, deleted FROM experiments " + where + ";", ReadExperiment, cancellationToken, ("$v", value)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }
    }

    private static Experiment ReadExperiment(SqliteDataReader reader) =>
        new(Id(reader.GetInt64(0)), reader.GetString(1), FromMs(reader.GetInt64(2)), reader.GetInt64(3) != 0);

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
