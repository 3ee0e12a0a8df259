using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Search;
using MlOps.Sdk.Tracking.Storage;
using Npgsql;
using NpgsqlTypes;

namespace MlOps.Sdk.Storage.PostgreSql.Tracking;

internal sealed partial class PostgreSqlTrackingStore
{
    private const string UpsertSeries = """
        INSERT INTO metric_series AS s (run_id, key, point_count, min_step, max_step, last_step, last_timestamp, last_value)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (run_id, key) DO UPDATE SET
            point_count = s.point_count + excluded.point_count,
            min_step = least(s.min_step, excluded.min_step),
            max_step = greatest(s.max_step, excluded.max_step),
            last_value = CASE WHEN excluded.last_step > s.last_step OR (excluded.last_step = s.last_step AND excluded.last_timestamp >= s.last_timestamp) THEN excluded.last_value ELSE s.last_value END,
            last_timestamp = CASE WHEN excluded.last_step > s.last_step OR (excluded.last_step = s.last_step AND excluded.last_timestamp >= s.last_timestamp) THEN excluded.last_timestamp ELSE s.last_timestamp END,
            last_step = greatest(s.last_step, excluded.last_step)
        RETURNING series_id;
        """;

    private const string CopySegments = "COPY metric_segments (series_id, point_count, points) FROM STDIN (FORMAT BINARY)";

    public override async Task<TrackingWriteResult> WriteAsync(TrackingWriteBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        try
        {
            return await database.WriteAsync(
                async (c, t) =>
                {
                    await WriteMetricsAsync(c, t, batch.Metrics, cancellationToken).ConfigureAwait(false);
                    var conflicts = await WriteParamsAsync(c, t, batch.Params, cancellationToken).ConfigureAwait(false);
                    await WriteTagsAsync(c, t, batch.Tags, cancellationToken).ConfigureAwait(false);
                    await WriteInputsAsync(c, t, batch.Inputs, cancellationToken).ConfigureAwait(false);
                    if (batch.LeaseRenewals.Count > 0)
                    {
                        await Sql.ExecuteAsync(c, t, "UPDATE runs SET lease_expires_at = $1 WHERE status = 'RUNNING' AND run_id = ANY($2);", cancellationToken, batch.LeaseExpiresAt.ToUnixTimeMilliseconds(), batch.LeaseRenewals.ToArray()).ConfigureAwait(false);
                    }

                    return conflicts.Count == 0 ? TrackingWriteResult.Success : new TrackingWriteResult(conflicts);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.IsConstraint())
        {
            throw new MlOpsNotFoundException("The batch names a run that does not exist; nothing of it was written.");
        }
    }

    /// <summary>One round trip of series upserts (each returns its series id), then the points in one binary COPY.</summary>
    private static async Task WriteMetricsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<MetricAppend> metrics, CancellationToken cancellationToken)
    {
        var appends = metrics.Where(m => m.Points.Length > 0).ToList();
        if (appends.Count == 0)
        {
            return;
        }

        var seriesIds = new long[appends.Count];
        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch.ConfigureAwait(false))
        {
            foreach (var append in appends)
            {
                var (min, max, latest) = MetricSegmentCodec.Extent(append.Points.Span);
                var command = new NpgsqlBatchCommand(UpsertSeries);
                command.Parameters.Add(new NpgsqlParameter { Value = append.RunId });
                command.Parameters.Add(new NpgsqlParameter { Value = append.Key });
                command.Parameters.Add(new NpgsqlParameter { Value = (long)append.Points.Length });
                command.Parameters.Add(new NpgsqlParameter { Value = min });
                command.Parameters.Add(new NpgsqlParameter { Value = max });
                command.Parameters.Add(new NpgsqlParameter { Value = latest.Step });
                command.Parameters.Add(new NpgsqlParameter { Value = latest.Timestamp });
                command.Parameters.Add(double.IsNaN(latest.Value) ? Sql.Null(NpgsqlDbType.Double) : new NpgsqlParameter { Value = latest.Value });
                batch.BatchCommands.Add(command);
            }

            var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                for (var i = 0; i < seriesIds.Length; i++)
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    seriesIds[i] = reader.GetInt64(0);
                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var copy = await connection.BeginBinaryImportAsync(CopySegments, cancellationToken).ConfigureAwait(false);
        await using (copy.ConfigureAwait(false))
        {
            for (var i = 0; i < appends.Count; i++)
            {
                var points = appends[i].Points;
                for (var offset = 0; offset < points.Length; offset += MaxPointsPerSegment)
                {
                    var chunk = points.Slice(offset, Math.Min(MaxPointsPerSegment, points.Length - offset));
                    await copy.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(seriesIds[i], NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(chunk.Length, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(MetricSegmentCodec.Encode(chunk.Span), NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
                }
            }

            await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Inserts params that are new, then reads back those stored with another value: the first value written wins, in
    /// this batch as across batches.
    /// </summary>
    private static async Task<List<ParamConflict>> WriteParamsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<RunValue> parameters, CancellationToken cancellationToken)
    {
        var conflicts = new List<ParamConflict>();
        if (parameters.Count == 0)
        {
            return conflicts;
        }

        var runs = parameters.Select(p => p.RunId).ToArray();
        var keys = parameters.Select(p => p.Key).ToArray();
        var values = parameters.Select(p => p.Value).ToArray();
        var numbers = parameters.Select(p => ParamNumber.TryParse(p.Value, out var n) ? n : (double?)null).ToArray();
        await Sql.ExecuteAsync(
            connection,
            transaction,
            "INSERT INTO params (run_id, key, value, value_number) SELECT w.run_id, w.key, w.value, w.value_number FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[]) WITH ORDINALITY AS w(run_id, key, value, value_number, i) ORDER BY i ON CONFLICT (run_id, key) DO NOTHING;",
            cancellationToken,
            runs,
            keys,
            values,
            numbers).ConfigureAwait(false);
        var stored = await Sql.QueryAsync(
            connection,
            transaction,
            "SELECT w.i, p.value FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS w(run_id, key, value, i) JOIN params p ON p.run_id = w.run_id AND p.key = w.key WHERE p.value <> w.value ORDER BY w.i;",
            r => (Index: (int)r.GetInt64(0) - 1, Value: r.GetString(1)),
            cancellationToken,
            runs,
            keys,
            values).ConfigureAwait(false);
        foreach (var (index, value) in stored)
        {
            var param = parameters[index];
            conflicts.Add(new ParamConflict(param.RunId, param.Key, value, param.Value));
        }

        return conflicts;
    }

    private static async Task WriteTagsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<RunTag> tags, CancellationToken cancellationToken)
    {
        if (tags.Count == 0)
        {
            return;
        }

        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch.ConfigureAwait(false))
        {
            foreach (var tag in tags)
            {
                // A tag keeps its run's start time; a run that does not exist gives none, which the NOT NULL refuses.
                var command = new NpgsqlBatchCommand(tag.Value is null
                    ? "DELETE FROM tags WHERE run_id = $1 AND key = $2;"
                    : "INSERT INTO tags (run_id, key, value, start_time) VALUES ($1, $2, $3, (SELECT start_time FROM runs WHERE run_id = $1)) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value;");
                command.Parameters.Add(new NpgsqlParameter { Value = tag.RunId });
                command.Parameters.Add(new NpgsqlParameter { Value = tag.Key });
                if (tag.Value is not null)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = tag.Value });
                }

                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteInputsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<RunInput> inputs, CancellationToken cancellationToken)
    {
        if (inputs.Count == 0)
        {
            return;
        }

        await Sql.ExecuteAsync(
            connection,
            transaction,
            "INSERT INTO run_inputs (run_id, name, digest, context) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING;",
            cancellationToken,
            inputs.Select(i => i.RunId).ToArray(),
            inputs.Select(i => i.Input.Name).ToArray(),
            inputs.Select(i => i.Input.Digest.ToString()).ToArray(),
            inputs.Select(i => i.Input.Context).ToArray()).ConfigureAwait(false);
    }
}
