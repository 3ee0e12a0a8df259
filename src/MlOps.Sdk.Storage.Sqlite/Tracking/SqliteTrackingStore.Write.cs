using Microsoft.Data.Sqlite;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Search;
using MlOps.Sdk.Tracking.Storage;

namespace MlOps.Sdk.Storage.Sqlite.Tracking;

internal sealed partial class SqliteTrackingStore
{
    private const string UpsertSeries = """
        INSERT INTO metric_series (run_id, key, point_count, min_step, max_step, last_step, last_timestamp, last_value)
        VALUES ($run, $key, $count, $min, $max, $step, $ts, $value)
        ON CONFLICT (run_id, key) DO UPDATE SET
            point_count = point_count + excluded.point_count,
            min_step = min(min_step, excluded.min_step),
            max_step = max(max_step, excluded.max_step),
            last_value = CASE WHEN excluded.last_step > last_step OR (excluded.last_step = last_step AND excluded.last_timestamp >= last_timestamp) THEN excluded.last_value ELSE last_value END,
            last_timestamp = CASE WHEN excluded.last_step > last_step OR (excluded.last_step = last_step AND excluded.last_timestamp >= last_timestamp) THEN excluded.last_timestamp ELSE last_timestamp END,
            last_step = max(last_step, excluded.last_step)
        RETURNING series_id;
        """;

    public override async Task<TrackingWriteResult> WriteAsync(TrackingWriteBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        try
        {
            return await WriteBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new MlOpsNotFoundException("The batch names a run that does not exist; nothing of it was written.");
        }
    }

    private Task<TrackingWriteResult> WriteBatchAsync(TrackingWriteBatch batch, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                await WriteMetricsAsync(connection, transaction, batch.Metrics, cancellationToken).ConfigureAwait(false);
                var conflicts = await WriteParamsAsync(connection, transaction, batch.Params, cancellationToken).ConfigureAwait(false);
                foreach (var tag in batch.Tags)
                {
                    await SetTagAsync(connection, transaction, tag, cancellationToken).ConfigureAwait(false);
                }

                await WriteInputsAsync(connection, transaction, batch.Inputs, cancellationToken).ConfigureAwait(false);
                await RenewLeasesAsync(connection, transaction, batch, cancellationToken).ConfigureAwait(false);
                return conflicts.Count == 0 ? TrackingWriteResult.Success : new TrackingWriteResult(conflicts);
            },
            cancellationToken);

    private static async Task WriteMetricsAsync(SqliteConnection connection, SqliteTransaction transaction, List<MetricAppend> metrics, CancellationToken cancellationToken)
    {
        if (metrics.Count == 0)
        {
            return;
        }

        var series = SqlCommand.Create(connection, transaction, UpsertSeries);
        var segment = SqlCommand.Create(connection, transaction, "INSERT INTO metric_segments (series_id, point_count, points) VALUES ($series, $count, $points);");
        await using (series.ConfigureAwait(false))
        await using (segment.ConfigureAwait(false))
        {
            var sRun = series.Parameters.Add("$run", SqliteType.Text);
            var sKey = series.Parameters.Add("$key", SqliteType.Text);
            var sCount = series.Parameters.Add("$count", SqliteType.Integer);
            var sMin = series.Parameters.Add("$min", SqliteType.Integer);
            var sMax = series.Parameters.Add("$max", SqliteType.Integer);
            var sStep = series.Parameters.Add("$step", SqliteType.Integer);
            var sTs = series.Parameters.Add("$ts", SqliteType.Integer);
            var sValue = series.Parameters.Add("$value", SqliteType.Real);
            var gSeries = segment.Parameters.Add("$series", SqliteType.Integer);
            var gCount = segment.Parameters.Add("$count", SqliteType.Integer);
            var gPoints = segment.Parameters.Add("$points", SqliteType.Blob);

            foreach (var append in metrics)
            {
                var length = append.Points.Length;
                if (length == 0)
                {
                    continue;
                }

                var (min, max, latest) = MetricSegmentCodec.Extent(append.Points.Span);
                sRun.Value = append.RunId;
                sKey.Value = append.Key;
                sCount.Value = length;
                sMin.Value = min;
                sMax.Value = max;
                sStep.Value = latest.Step;
                sTs.Value = latest.Timestamp;
                sValue.Value = double.IsNaN(latest.Value) ? DBNull.Value : latest.Value;
                var seriesId = (long)(await series.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;

                for (var offset = 0; offset < length; offset += MaxPointsPerSegment)
                {
                    var chunk = append.Points.Slice(offset, Math.Min(MaxPointsPerSegment, length - offset));
                    gSeries.Value = seriesId;
                    gCount.Value = chunk.Length;
                    gPoints.Value = MetricSegmentCodec.Encode(chunk.Span);
                    await segment.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task<List<ParamConflict>> WriteParamsAsync(SqliteConnection connection, SqliteTransaction transaction, List<RunValue> parameters, CancellationToken cancellationToken)
    {
        var conflicts = new List<ParamConflict>();
        if (parameters.Count == 0)
        {
            return conflicts;
        }

        var insert = SqlCommand.Create(connection, transaction, "INSERT INTO params (run_id, key, value, value_number) VALUES ($run, $key, $value, $number) ON CONFLICT (run_id, key) DO NOTHING;");
        var read = SqlCommand.Create(connection, transaction, "SELECT value FROM params WHERE run_id = $run AND key = $key;");
        await using (insert.ConfigureAwait(false))
        await using (read.ConfigureAwait(false))
        {
            foreach (var param in parameters)
            {
                insert.Parameters.Clear();
                insert.Parameters.AddWithValue("$run", param.RunId);
                insert.Parameters.AddWithValue("$key", param.Key);
                insert.Parameters.AddWithValue("$value", param.Value);
                insert.Parameters.AddWithValue("$number", ParamNumber.TryParse(param.Value, out var number) ? number : DBNull.Value);
                if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                {
                    continue;
                }

                read.Parameters.Clear();
                read.Parameters.AddWithValue("$run", param.RunId);
                read.Parameters.AddWithValue("$key", param.Key);
                var stored = (string?)await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                if (stored is not null && !string.Equals(stored, param.Value, StringComparison.Ordinal))
                {
                    conflicts.Add(new ParamConflict(param.RunId, param.Key, stored, param.Value));
                }
            }
        }

        return conflicts;
    }

    private static Task SetTagAsync(SqliteConnection connection, SqliteTransaction transaction, RunTag tag, CancellationToken cancellationToken) =>
        tag.Value is null
            ? SqlCommand.ExecuteAsync(connection, transaction, "DELETE FROM tags WHERE run_id = $run AND key = $key;", cancellationToken, ("$run", tag.RunId), ("$key", tag.Key))
            : SqlCommand.ExecuteAsync(connection, transaction, "INSERT INTO tags (run_id, key, value, start_time) VALUES ($run, $key, $value, (SELECT start_time FROM runs WHERE run_id = $run)) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value;", cancellationToken, ("$run", tag.RunId), ("$key", tag.Key), ("$value", tag.Value));

    private static async Task WriteInputsAsync(SqliteConnection connection, SqliteTransaction transaction, List<RunInput> inputs, CancellationToken cancellationToken)
    {
        foreach (var input in inputs)
        {
            await SqlCommand.ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO run_inputs (run_id, name, digest, context) VALUES ($run, $name, $digest, $context) ON CONFLICT DO NOTHING;",
                cancellationToken,
                ("$run", input.RunId),
                ("$name", input.Input.Name),
                ("$digest", input.Input.Digest.ToString()),
                ("$context", input.Input.Context)).ConfigureAwait(false);
        }
    }

    private static async Task RenewLeasesAsync(SqliteConnection connection, SqliteTransaction transaction, TrackingWriteBatch batch, CancellationToken cancellationToken)
    {
        if (batch.LeaseRenewals.Count > 0)
        {
            await SqlCommand.ExecuteAsync(
                connection,
                transaction,
                "UPDATE runs SET lease_expires_at = $lease WHERE status = 'RUNNING' AND run_id IN (SELECT value FROM json_each($ids));",
                cancellationToken,
                ("$lease", batch.LeaseExpiresAt.ToUnixTimeMilliseconds()),
                ("$ids", System.Text.Json.JsonSerializer.Serialize(batch.LeaseRenewals, SqliteJsonContext.Default.ListString))).ConfigureAwait(false);
        }
    }
}
