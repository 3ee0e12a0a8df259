using Microsoft.Data.Sqlite;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Search;

namespace MlOps.Sdk.Storage.Sqlite.Tracking;

internal sealed partial class SqliteTrackingStore
{
    /// <summary>The page cache of an import's connection while it writes, in KiB as <c>cache_size</c> takes it (negative).</summary>
    private const int ImportCacheKib = -262_144;

    /// <summary>Writes the runs in one transaction through one prepared statement per table.</summary>
    public override async Task ImportRunsAsync(string experimentId, IReadOnlyList<RunImport> runs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var experiment = long.TryParse(experimentId, out var id) ? id : -1;
        try
        {
            await database.WriteAsync(
                async (connection, transaction) =>
                {
                    // Each run touches pages all over the (key, value) indexes: with a smaller cache a large import spends
                    // its time writing pages out and reading them back (a 100,000-run import: 53 s with SQLite's 2 MiB
                    // default and 1,000 runs a write, 23 s with this and 5,000).
                    await SqliteDatabase.ExecuteAsync(connection, $"PRAGMA cache_size={ImportCacheKib};", cancellationToken, transaction).ConfigureAwait(false);
                    try
                    {
                        using var statements = new ImportStatements(connection, transaction);
                        foreach (var run in runs)
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                            statements.Write(experiment, run);
                        }
                    }
                    finally
                    {
                        await SqliteDatabase.ExecuteAsync(connection, database.CacheSizePragma, CancellationToken.None, transaction).ConfigureAwait(false);
                    }

                    return 0;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new MlOpsConflictException($"No experiment has id '{experimentId}', or a run id of the import is taken; nothing of this write was stored.");
        }

        await database.OptimizeAfterCommitAsync().ConfigureAwait(false);
    }

    /// <summary>The prepared inserts of an import, their parameters bound by position.</summary>
    private sealed class ImportStatements : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _run;
        private readonly SqliteCommand _param;
        private readonly SqliteCommand _tag;
        private readonly SqliteCommand _series;
        private readonly SqliteCommand _segment;
        private readonly SqliteCommand _input;

        public ImportStatements(SqliteConnection connection, SqliteTransaction transaction)
        {
            _connection = connection;
            _run = Prepare(connection, transaction, "INSERT INTO runs (run_id, experiment_id, name, status, start_time, end_time, lease_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $5)", 6);
            _param = Prepare(connection, transaction, "INSERT INTO params (run_id, key, value, value_number) VALUES ($1, $2, $3, $4)", 4);
            _tag = Prepare(connection, transaction, "INSERT INTO tags (run_id, key, value, start_time) VALUES ($1, $2, $3, $4)", 4);
            _series = Prepare(connection, transaction, "INSERT INTO metric_series (run_id, key, point_count, min_step, max_step, last_step, last_timestamp, last_value) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", 8);
            _segment = Prepare(connection, transaction, "INSERT INTO metric_segments (series_id, point_count, points) VALUES ($1, $2, $3)", 3);
            _input = Prepare(connection, transaction, "INSERT INTO run_inputs (run_id, name, digest, context) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", 4);
        }

        public void Write(long experiment, RunImport run)
        {
            var runId = run.RunId!;
            Execute(_run, runId, experiment, run.Name, RunFilter.StatusText(run.Status), run.StartTime.ToUnixTimeMilliseconds(), run.EndTime.ToUnixTimeMilliseconds());
            foreach (var (key, value) in run.Params)
            {
                Execute(_param, runId, key, value, ParamNumber.TryParse(value, out var number) ? number : DBNull.Value);
            }

            foreach (var (key, value) in run.Tags)
            {
                Execute(_tag, runId, key, value, run.StartTime.ToUnixTimeMilliseconds());
            }

            foreach (var (key, points) in run.Metrics)
            {
                if (points.Count == 0)
                {
                    continue;
                }

                var all = points as Metric[] ?? [.. points];
                var (min, max, latest) = MetricSegmentCodec.Extent(all);
                Execute(_series, runId, key, all.Length, min, max, latest.Step, latest.Timestamp, double.IsNaN(latest.Value) ? DBNull.Value : latest.Value);
                var seriesId = SQLitePCL.raw.sqlite3_last_insert_rowid(_connection.Handle);
                for (var offset = 0; offset < all.Length; offset += MaxPointsPerSegment)
                {
                    var chunk = all.AsSpan(offset, Math.Min(MaxPointsPerSegment, all.Length - offset));
                    Execute(_segment, seriesId, chunk.Length, MetricSegmentCodec.Encode(chunk));
                }
            }

            foreach (var input in run.Inputs)
            {
                Execute(_input, runId, input.Name, input.Digest.ToString(), input.Context);
            }
        }

        public void Dispose()
        {
            _run.Dispose();
            _param.Dispose();
            _tag.Dispose();
            _series.Dispose();
            _segment.Dispose();
            _input.Dispose();
        }

        private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, int parameters)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql + ";";
            for (var i = 1; i <= parameters; i++)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = "$" + i });
            }

            command.Prepare();
            return command;
        }

        private static void Execute(SqliteCommand command, params ReadOnlySpan<object> values)
        {
            Bind(command, values);
            command.ExecuteNonQuery();
        }

        private static void Bind(SqliteCommand command, params ReadOnlySpan<object> values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i];
            }
        }
    }
}
