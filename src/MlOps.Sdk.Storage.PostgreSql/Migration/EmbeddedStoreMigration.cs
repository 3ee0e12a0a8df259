using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage.Sqlite;
using MlOps.Sdk.Tracking.Storage;
using MlOps.Sdk.Versioning.Audit;
using MlOps.Sdk.Versioning.Storage;
using Npgsql;
using NpgsqlTypes;

namespace MlOps.Sdk.Storage.PostgreSql.Migration;

/// <summary>
/// Copies an embedded store (SQLite and its artifacts) into PostgreSQL and the target's artifact store, keeping every
/// id, time, metric point and audit entry as it was: the audit chain verifies afterwards with the same hashes.
/// </summary>
/// <remarks>
/// <para>Each table is copied in one transaction that also records it as done, and each artifact is uploaded once
/// (content already in the target is skipped): a copy that was interrupted — a killed process, a lost connection — is
/// resumed by calling again, and ends in the same state as one that never stopped.</para>
/// <para>Stop the processes writing to the embedded store first. A call refuses a target that holds other data, and a
/// source that changed since an interrupted copy started.</para>
/// </remarks>
public static class EmbeddedStoreMigration
{
    /// <summary>The tables in the order they are copied (each one's references come before it).</summary>
    private static readonly string[] Tables =
    [
        "experiments", "runs", "params", "tags", "metric_series", "metric_segments", "run_inputs", "run_artifacts",
        "registered_models", "model_tags", "model_versions", "model_aliases", "alias_moves", "approval_requests",
        "approval_decisions", "audit_log", "dataset_versions", "dataset_files", "model_deployments", "state",
    ];

    private static readonly (string Table, string Column)[] Sequences =
    [
        ("experiments", "experiment_id"), ("metric_series", "series_id"), ("metric_segments", "segment_id"),
        ("registered_models", "model_id"), ("alias_moves", "move_id"), ("approval_requests", "request_id"),
        ("model_deployments", "deployment_id"),
    ];

    private const string ArtifactsStep = "artifacts";
    private const int ProgressEvery = 10_000;

    /// <summary>
    /// Copies the store <paramref name="source"/> is configured with (<c>UseSqlite()</c>, its root directory's
    /// artifacts) into the one <paramref name="target"/> is configured with (<c>UsePostgreSql(...)</c> and an artifact
    /// store, such as <c>UseS3Artifacts(...)</c>).
    /// </summary>
    /// <exception cref="MlOpsConflictException">The target holds data of its own, or the source changed since an interrupted copy into the target started.</exception>
    public static async Task<MigrationReport> CopyAsync(IServiceProvider source, IServiceProvider target, IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var database = target.GetService<PostgreSqlDatabase>() ?? throw new MlOpsException("The target of a migration must use PostgreSQL (UsePostgreSql).");
        var sqlite = source.GetRequiredService<IOptions<SqliteStoreOptions>>().Value;
        var root = source.GetRequiredService<IOptions<MlOpsOptions>>().Value.RootDirectory;

        // Opening the source through its store brings its schema up to date before it is read.
        await source.GetRequiredService<TrackingStore>().ListExperimentsAsync(includeDeleted: true, cancellationToken).ConfigureAwait(false);
        var path = Path.GetFullPath(sqlite.DatabasePath ?? Path.Combine(root, "mlops.db"));
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var fingerprint = await FingerprintAsync(connection, path, cancellationToken).ConfigureAwait(false);
            var done = await StartAsync(database, fingerprint, cancellationToken).ConfigureAwait(false);
            var tables = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var table in Tables)
            {
                tables[table] = done.TryGetValue(table, out var rows)
                    ? rows
                    : await CopyTableAsync(connection, database, table, fingerprint, progress, cancellationToken).ConfigureAwait(false);
            }

            var (copied, present, bytes) = await CopyArtifactsAsync(source.GetRequiredService<ArtifactStore>(), target.GetRequiredService<ArtifactStore>(), database, fingerprint, progress, cancellationToken).ConfigureAwait(false);
            var audit = new List<AuditEntry>();
            await foreach (var entry in target.GetRequiredService<ModelRegistryStore>().ReadAuditLogAsync(cancellationToken).ConfigureAwait(false))
            {
                audit.Add(entry);
            }

            return new MigrationReport(tables, copied, present, bytes, done.Count, AuditChain.Verify(audit).IsIntact);
        }
    }

    /// <summary>What identifies the source's state: its path, its size in runs and points, and its audit log's head.</summary>
    private static async Task<string> FingerprintAsync(SqliteConnection connection, string path, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = "SELECT (SELECT count(*) FROM runs) || '/' || (SELECT count(*) FROM metric_segments) || '/' || (SELECT count(*) FROM model_versions) || '/' || coalesce((SELECT sequence || ':' || hash FROM audit_log ORDER BY sequence DESC LIMIT 1), 'empty');";
            return path + "#" + (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }

    /// <summary>The steps an earlier copy of this source finished; refuses a target with other data.</summary>
    private static Task<Dictionary<string, long>> StartAsync(PostgreSqlDatabase database, string fingerprint, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (c, t) =>
            {
                var steps = await Sql.QueryAsync(c, t, "SELECT step, source, items FROM migration_progress;", r => (Step: r.GetString(0), Source: r.GetString(1), Items: r.GetInt64(2)), cancellationToken).ConfigureAwait(false);
                if (steps.Count == 0)
                {
                    var holdsData = (bool)(await Sql.ScalarAsync(c, t, "SELECT EXISTS (SELECT 1 FROM experiments) OR EXISTS (SELECT 1 FROM registered_models) OR EXISTS (SELECT 1 FROM dataset_versions) OR EXISTS (SELECT 1 FROM audit_log) OR EXISTS (SELECT 1 FROM state);", cancellationToken).ConfigureAwait(false))!;
                    if (holdsData)
                    {
                        throw new MlOpsConflictException("The target PostgreSQL schema already holds data; copy the embedded store into an empty schema (PostgreSqlStoreOptions.Schema).");
                    }
                }
                else if (steps.Exists(s => s.Source != fingerprint))
                {
                    throw new MlOpsConflictException($"The target holds an interrupted copy of another source, or of this one before it changed ({steps[0].Source}; now {fingerprint}). Copy into an empty schema.");
                }

                return steps.ToDictionary(s => s.Step, s => s.Items, StringComparer.Ordinal);
            },
            cancellationToken,
            serial: true);

    private static Task<long> CopyTableAsync(SqliteConnection source, PostgreSqlDatabase database, string table, string fingerprint, IProgress<MigrationProgress>? progress, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (c, t) =>
            {
                var columns = await Sql.QueryAsync(c, t, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position;", r => (Name: r.GetString(0), Type: r.GetString(1)), cancellationToken, table).ConfigureAwait(false);
                var list = string.Join(", ", columns.Select(x => "\"" + x.Name + "\""));
                var read = source.CreateCommand();
                await using (read.ConfigureAwait(false))
                {
                    read.CommandText = $"SELECT count(*) FROM {table};";
                    var total = (long)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                    read.CommandText = $"SELECT {list} FROM {table};";
                    long rows = 0;
                    var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        var writer = await c.BeginBinaryImportAsync($"COPY {table} ({list}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
                        await using (writer.ConfigureAwait(false))
                        {
                            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                            {
                                await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                                for (var i = 0; i < columns.Count; i++)
                                {
                                    await WriteAsync(writer, reader.GetValue(i), columns[i].Type, cancellationToken).ConfigureAwait(false);
                                }

                                if (++rows % ProgressEvery == 0)
                                {
                                    progress?.Report(new MigrationProgress(table, rows, total));
                                }
                            }

                            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }

                    progress?.Report(new MigrationProgress(table, rows, total));
                    if (table == Tables[^1])
                    {
                        foreach (var (serial, column) in Sequences)
                        {
                            await Sql.ExecuteAsync(c, t, $"SELECT setval(pg_get_serial_sequence('{serial}', '{column}'), coalesce((SELECT max({column}) FROM {serial}), 0) + 1, false);", cancellationToken).ConfigureAwait(false);
                        }
                    }

                    await Sql.ExecuteAsync(c, t, "INSERT INTO migration_progress (step, source, items) VALUES ($1, $2, $3);", cancellationToken, table, fingerprint, rows).ConfigureAwait(false);
                    return rows;
                }
            },
            cancellationToken,
            serial: true);

    private static async ValueTask WriteAsync(NpgsqlBinaryImporter writer, object value, string type, CancellationToken cancellationToken)
    {
        if (value is DBNull)
        {
            await writer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var task = type switch
        {
            "bigint" => writer.WriteAsync(Convert.ToInt64(value, CultureInfo.InvariantCulture), NpgsqlDbType.Bigint, cancellationToken),
            "integer" => writer.WriteAsync(Convert.ToInt32(value, CultureInfo.InvariantCulture), NpgsqlDbType.Integer, cancellationToken),
            "double precision" => writer.WriteAsync(Convert.ToDouble(value, CultureInfo.InvariantCulture), NpgsqlDbType.Double, cancellationToken),
            "boolean" => writer.WriteAsync(Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0, NpgsqlDbType.Boolean, cancellationToken),
            "bytea" => writer.WriteAsync((byte[])value, NpgsqlDbType.Bytea, cancellationToken),
            _ => writer.WriteAsync(Convert.ToString(value, CultureInfo.InvariantCulture)!, NpgsqlDbType.Text, cancellationToken),
        };
        await task.ConfigureAwait(false);
    }

    /// <summary>Uploads every artifact the target lacks; each is verified as it is read from the source.</summary>
    private static async Task<(long Copied, long Present, long Bytes)> CopyArtifactsAsync(ArtifactStore from, ArtifactStore to, PostgreSqlDatabase database, string fingerprint, IProgress<MigrationProgress>? progress, CancellationToken cancellationToken)
    {
        var artifacts = new List<StoredArtifact>();
        await foreach (var artifact in from.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            artifacts.Add(artifact);
        }

        long copied = 0, present = 0, bytes = 0;
        foreach (var artifact in artifacts)
        {
            if (await to.ExistsAsync(artifact.Digest, cancellationToken).ConfigureAwait(false))
            {
                present++;
            }
            else
            {
                var content = await from.OpenReadAsync(artifact.Digest, cancellationToken).ConfigureAwait(false);
                await using (content.ConfigureAwait(false))
                {
                    var stored = await to.PutAsync(content, cancellationToken).ConfigureAwait(false);
                    if (stored.Digest != artifact.Digest)
                    {
                        throw new ArtifactIntegrityException(artifact.Digest, $"Artifact {artifact.Digest} was stored in the target as {stored.Digest}; the copy stopped.");
                    }
                }

                copied++;
                bytes += artifact.Length;
            }

            progress?.Report(new MigrationProgress(ArtifactsStep, copied + present, artifacts.Count));
        }

        await database.WriteAsync(
            (c, t) => Sql.ExecuteAsync(c, t, "INSERT INTO migration_progress (step, source, items) VALUES ($1, $2, $3) ON CONFLICT (step) DO UPDATE SET items = excluded.items, done_at = now();", cancellationToken, ArtifactsStep, fingerprint, (long)artifacts.Count),
            cancellationToken).ConfigureAwait(false);
        return (copied, present, bytes);
    }
}
