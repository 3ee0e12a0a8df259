using System.Globalization;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Search;
using Npgsql;
using NpgsqlTypes;

namespace MlOps.Sdk.Storage.PostgreSql.Tracking;

internal sealed partial class PostgreSqlTrackingStore
{
    /// <summary>Writes the runs in one transaction, each table through one binary COPY.</summary>
    public override async Task ImportRunsAsync(string experimentId, IReadOnlyList<RunImport> runs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var experiment = long.TryParse(experimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1;
        try
        {
            await database.WriteAsync(
                async (c, t) =>
                {
                    await ImportAsync(c, t, experiment, runs, cancellationToken).ConfigureAwait(false);
                    return 0;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.IsConstraint())
        {
            throw new MlOpsConflictException($"No experiment has id '{experimentId}', or a run id of the import is taken; nothing of this write was stored.");
        }

        await database.TryAnalyzeAsync("runs, params, tags, metric_series, run_inputs", runs.Count).ConfigureAwait(false);
    }

    private static async Task ImportAsync(NpgsqlConnection c, NpgsqlTransaction t, long experiment, IReadOnlyList<RunImport> runs, CancellationToken ct)
    {
        var writer = await c.BeginBinaryImportAsync("COPY runs (run_id, experiment_id, name, status, start_time, end_time, lease_expires_at) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var run in runs)
            {
                ct.ThrowIfCancellationRequested();
                var start = run.StartTime.ToUnixTimeMilliseconds();
                await writer.WriteRowAsync(ct, run.RunId!, experiment, run.Name, RunFilter.StatusText(run.Status), start, run.EndTime.ToUnixTimeMilliseconds(), start).ConfigureAwait(false);
            }

            await writer.CompleteAsync(ct).ConfigureAwait(false);
        }

        writer = await c.BeginBinaryImportAsync("COPY params (run_id, key, value, value_number) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var run in runs)
            {
                foreach (var (key, value) in run.Params)
                {
                    await writer.StartRowAsync(ct).ConfigureAwait(false);
                    await writer.WriteAsync(run.RunId!, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await writer.WriteAsync(key, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await writer.WriteAsync(value, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await WriteNullableAsync(writer, ParamNumber.TryParse(value, out var number) ? number : null, ct).ConfigureAwait(false);
                }
            }

            await writer.CompleteAsync(ct).ConfigureAwait(false);
        }

        writer = await c.BeginBinaryImportAsync("COPY tags (run_id, key, value, start_time) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var run in runs)
            {
                foreach (var (key, value) in run.Tags)
                {
                    await writer.WriteRowAsync(ct, run.RunId!, key, value, run.StartTime.ToUnixTimeMilliseconds()).ConfigureAwait(false);
                }
            }

            await writer.CompleteAsync(ct).ConfigureAwait(false);
        }

        await ImportMetricsAsync(c, t, runs, ct).ConfigureAwait(false);

        writer = await c.BeginBinaryImportAsync("COPY run_inputs (run_id, name, digest, context) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var run in runs)
            {
                foreach (var input in run.Inputs.Distinct())
                {
                    await writer.WriteRowAsync(ct, run.RunId!, input.Name, input.Digest.ToString(), input.Context).ConfigureAwait(false);
                }
            }

            await writer.CompleteAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Series ids are drawn from the sequence first, so series and their segments go in by COPY alike.</summary>
    private static async Task ImportMetricsAsync(NpgsqlConnection c, NpgsqlTransaction t, IReadOnlyList<RunImport> runs, CancellationToken ct)
    {
        var series = runs.SelectMany(r => r.Metrics.Where(m => m.Value.Count > 0).Select(m => (RunId: r.RunId!, m.Key, Points: m.Value as Metric[] ?? [.. m.Value]))).ToList();
        if (series.Count == 0)
        {
            return;
        }

        var ids = await Sql.QueryAsync(c, t, "SELECT nextval(pg_get_serial_sequence('metric_series', 'series_id')) FROM generate_series(1, $1);", r => r.GetInt64(0), ct, series.Count).ConfigureAwait(false);
        var writer = await c.BeginBinaryImportAsync("COPY metric_series (series_id, run_id, key, point_count, min_step, max_step, last_step, last_timestamp, last_value) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            for (var i = 0; i < series.Count; i++)
            {
                var (runId, key, points) = series[i];
                var (min, max, latest) = MetricSegmentCodec.Extent(points);
                await writer.StartRowAsync(ct).ConfigureAwait(false);
                await writer.WriteAsync(ids[i], NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                await writer.WriteAsync(runId, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await writer.WriteAsync(key, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                await writer.WriteAsync((long)points.Length, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                await writer.WriteAsync(min, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                await writer.WriteAsync(max, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                await writer.WriteAsync(latest.Step, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                await writer.WriteAsync(latest.Timestamp, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                await WriteNullableAsync(writer, double.IsNaN(latest.Value) ? null : latest.Value, ct).ConfigureAwait(false);
            }

            await writer.CompleteAsync(ct).ConfigureAwait(false);
        }

        writer = await c.BeginBinaryImportAsync(CopySegments, ct).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            for (var i = 0; i < series.Count; i++)
            {
                var points = series[i].Points;
                for (var offset = 0; offset < points.Length; offset += MaxPointsPerSegment)
                {
                    var chunk = points.AsSpan(offset, Math.Min(MaxPointsPerSegment, points.Length - offset));
                    await writer.WriteRowAsync(ct, ids[i], chunk.Length, MetricSegmentCodec.Encode(chunk)).ConfigureAwait(false);
                }
            }

            await writer.CompleteAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter writer, double? value, CancellationToken ct)
    {
        if (value is { } number)
        {
            await writer.WriteAsync(number, NpgsqlDbType.Double, ct).ConfigureAwait(false);
        }
        else
        {
            await writer.WriteNullAsync(ct).ConfigureAwait(false);
        }
    }
}
