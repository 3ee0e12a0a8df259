using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Audit;
using MlOps.Sdk.Versioning.Onnx;
using MlOps.Sdk.Versioning.Storage;

namespace MlOps.Sdk.Storage.Sqlite.Versioning;

internal sealed partial class SqliteModelRegistryStore(SqliteDatabase database) : ModelRegistryStore, IDisposable
{
    private const string VersionColumns = "m.name, v.number, v.status, v.digest, v.length, v.source_run_id, v.signature_json, v.signatures_json, v.created_by, v.created_at, v.status_message, v.input_example";

    private readonly PreparedQuery _resolveAlias = new(
        database,
        $"SELECT {VersionColumns} FROM model_aliases a JOIN registered_models m ON m.model_id = a.model_id JOIN model_versions v ON v.model_id = a.model_id AND v.number = a.number WHERE m.name = $name AND a.alias = $alias;",
        "$name",
        "$alias");

    private readonly PreparedQuery _getVersion = new(
        database,
        $"SELECT {VersionColumns} FROM model_versions v JOIN registered_models m ON m.model_id = v.model_id WHERE m.name = $name AND v.number = $n;",
        "$name",
        "$n");

    public void Dispose()
    {
        _resolveAlias.Dispose();
        _getVersion.Dispose();
    }

    public override async Task<RegisteredModel> CreateModelAsync(string name, string description, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        try
        {
            await database.WriteAsync(
                async (c, t) =>
                {
                    await InsertModelAsync(c, t, name, description, audit.Time, cancellationToken).ConfigureAwait(false);
                    await SqliteAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
                    return 0;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new MlOpsConflictException($"A model named '{name}' already exists.");
        }

        return (await GetModelAsync(name, cancellationToken).ConfigureAwait(false))!;
    }

    public override async Task<RegisteredModel?> GetModelAsync(string name, CancellationToken cancellationToken = default)
    {
        var models = await ReadModelsAsync("WHERE name = $name", cancellationToken, ("$name", name)).ConfigureAwait(false);
        return models.Count == 0 ? null : models[0];
    }

    public override async Task<IReadOnlyList<RegisteredModel>> ListModelsAsync(CancellationToken cancellationToken = default) =>
        await ReadModelsAsync(string.Empty, cancellationToken).ConfigureAwait(false);

    public override async Task RenameModelAsync(string name, string newName, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.WriteAsync(
                async (c, t) =>
                {
                    await RequireModelIdAsync(c, t, name, cancellationToken).ConfigureAwait(false);
                    await SqlCommand.ExecuteAsync(c, t, "UPDATE registered_models SET name = $new WHERE name = $name;", cancellationToken, ("$new", newName), ("$name", name)).ConfigureAwait(false);
                    await SqliteAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
                    return 0;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new MlOpsConflictException($"A model named '{newName}' already exists.");
        }
    }

    public override Task UpdateModelAsync(string name, string? description, IReadOnlyDictionary<string, string?> tags, AuditDraft audit, CancellationToken cancellationToken = default) =>
        database.WriteAsync(
            async (c, t) =>
            {
                var id = await RequireModelIdAsync(c, t, name, cancellationToken).ConfigureAwait(false);
                if (description is not null)
                {
                    await SqlCommand.ExecuteAsync(c, t, "UPDATE registered_models SET description = $d WHERE model_id = $id;", cancellationToken, ("$d", description), ("$id", id)).ConfigureAwait(false);
                }

                foreach (var (key, value) in tags)
                {
                    await SqlCommand.ExecuteAsync(
                        c,
                        t,
                        value is null ? "DELETE FROM model_tags WHERE model_id = $id AND key = $k;" : "INSERT INTO model_tags (model_id, key, value) VALUES ($id, $k, $v) ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value;",
                        cancellationToken,
                        ("$id", id),
                        ("$k", key),
                        ("$v", value)).ConfigureAwait(false);
                }

                await SqliteAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
                return 0;
            },
            cancellationToken);

    public override async Task<ModelVersion> ReserveVersionAsync(string modelName, string? sourceRunId, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var number = await database.WriteAsync(
            async (c, t) =>
            {
                // BEGIN IMMEDIATE holds the write lock: max + 1 cannot be taken twice, even by another process.
                var id = await FindModelIdAsync(c, t, modelName, cancellationToken).ConfigureAwait(false)
                    ?? await InsertModelAsync(c, t, modelName, string.Empty, audit.Time, cancellationToken).ConfigureAwait(false);
                var next = (long)(await SqlCommand.ScalarAsync(c, t, "SELECT COALESCE(MAX(number), 0) + 1 FROM model_versions WHERE model_id = $id;", cancellationToken, ("$id", id)).ConfigureAwait(false))!;
                await SqlCommand.ExecuteAsync(
                    c,
                    t,
                    "INSERT INTO model_versions (model_id, number, status, source_run_id, created_by, created_at) VALUES ($id, $n, 'PENDING', $run, $by, $at);",
                    cancellationToken,
                    ("$id", id),
                    ("$n", next),
                    ("$run", sourceRunId),
                    ("$by", audit.Actor),
                    ("$at", audit.Time.ToUnixTimeMilliseconds())).ConfigureAwait(false);
                await SqliteAuditLog.AppendAsync(c, t, audit with { Subject = $"{modelName}/{next}" }, cancellationToken).ConfigureAwait(false);
                return (int)next;
            },
            cancellationToken).ConfigureAwait(false);
        return (await GetVersionAsync(modelName, number, cancellationToken).ConfigureAwait(false))!;
    }

    public override async Task<ModelVersion> CompleteVersionAsync(string modelName, int number, ContentDigest digest, long length, ModelSignature? signature, ContentDigest? inputExample, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        var changed = await database.WriteAsync(
            async (c, t) =>
            {
                var id = await RequireModelIdAsync(c, t, modelName, cancellationToken).ConfigureAwait(false);
                var rows = await SqlCommand.ExecuteAsync(
                    c,
                    t,
                    "UPDATE model_versions SET status = 'READY', digest = $d, length = $l, signature_json = $s, input_example = $x WHERE model_id = $id AND number = $n AND status = 'PENDING';",
                    cancellationToken,
                    ("$d", digest.ToString()),
                    ("$l", length),
                    ("$s", signature is null ? null : JsonSerializer.Serialize(signature, VersionJson.Default.ModelSignature)),
                    ("$x", inputExample?.ToString()),
                    ("$id", id),
                    ("$n", number)).ConfigureAwait(false);
                if (rows == 1)
                {
                    await SqliteAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
                }

                return rows;
            },
            cancellationToken).ConfigureAwait(false);
        if (changed == 0)
        {
            throw new MlOpsConflictException($"Version {modelName}/{number} is not pending.");
        }

        return (await GetVersionAsync(modelName, number, cancellationToken).ConfigureAwait(false))!;
    }

    public override Task FailVersionAsync(string modelName, int number, string message, AuditDraft audit, CancellationToken cancellationToken = default) =>
        database.WriteAsync(
            async (c, t) =>
            {
                var id = await RequireModelIdAsync(c, t, modelName, cancellationToken).ConfigureAwait(false);
                var rows = await SqlCommand.ExecuteAsync(c, t, "UPDATE model_versions SET status = 'FAILED', status_message = $m WHERE model_id = $id AND number = $n AND status = 'PENDING';", cancellationToken, ("$m", message), ("$id", id), ("$n", number)).ConfigureAwait(false);
                if (rows == 1)
                {
                    await SqliteAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
                }

                return rows;
            },
            cancellationToken);

    public override async Task<ModelVersion?> GetVersionAsync(string modelName, int number, CancellationToken cancellationToken = default) =>
        await _getVersion.RunAsync(ReadOne, cancellationToken, modelName, number).ConfigureAwait(false);

    public override async Task<ModelVersion?> ResolveAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default) =>
        await _resolveAlias.RunAsync(ReadOne, cancellationToken, modelName, alias).ConfigureAwait(false);

    private static ModelVersion? ReadOne(SqliteDataReader reader) => reader.Read() ? StoredRows.Version(reader) : null;

    public override async Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, int afterNumber, int limit, CancellationToken cancellationToken = default) =>
        await ReadVersionsAsync(
            $"SELECT {VersionColumns} FROM model_versions v JOIN registered_models m ON m.model_id = v.model_id WHERE m.name = $name AND v.number > $after ORDER BY v.number LIMIT $limit;",
            cancellationToken,
            ("$name", modelName),
            ("$after", afterNumber),
            ("$limit", limit)).ConfigureAwait(false);

    public override async Task<IReadOnlyList<ModelVersion>> FindVersionsFromRunsAsync(IReadOnlyCollection<string> runIds, CancellationToken cancellationToken = default) =>
        await ReadVersionsAsync(
            $"SELECT {VersionColumns} FROM model_versions v JOIN registered_models m ON m.model_id = v.model_id WHERE v.source_run_id IN (SELECT value FROM json_each($ids)) ORDER BY m.name, v.number;",
            cancellationToken,
            ("$ids", JsonSerializer.Serialize(runIds.ToList(), MlOps.Sdk.Storage.Sqlite.Tracking.SqliteJsonContext.Default.ListString))).ConfigureAwait(false);

    public override IAsyncEnumerable<ContentDigest> ListReferencedArtifactsAsync(CancellationToken cancellationToken = default) =>
        SqliteDigests.ReadAsync(database, "SELECT digest FROM model_versions WHERE digest IS NOT NULL UNION SELECT input_example FROM model_versions WHERE input_example IS NOT NULL;", cancellationToken);

    public override async IAsyncEnumerable<AuditEntry> ReadAuditLogAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<AuditEntry> entries;
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            entries = await SqliteAuditLog.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        foreach (var entry in entries)
        {
            yield return entry;
        }
    }

    private async Task<List<RegisteredModel>> ReadModelsAsync(string where, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var rows = await SqlCommand.QueryAsync(connection, null, $"SELECT model_id, name, description, created_at FROM registered_models {where} ORDER BY name;", r => (Id: r.GetInt64(0), Name: r.GetString(1), Description: r.GetString(2), Created: r.Time(3)), cancellationToken, parameters).ConfigureAwait(false);
            var models = new List<RegisteredModel>(rows.Count);
            foreach (var row in rows)
            {
                var tags = await SqlCommand.QueryAsync(connection, null, "SELECT key, value FROM model_tags WHERE model_id = $id;", r => (r.GetString(0), r.GetString(1)), cancellationToken, ("$id", row.Id)).ConfigureAwait(false);
                var aliases = await SqlCommand.QueryAsync(connection, null, "SELECT alias, number FROM model_aliases WHERE model_id = $id;", r => (r.GetString(0), r.GetInt32(1)), cancellationToken, ("$id", row.Id)).ConfigureAwait(false);
                models.Add(new RegisteredModel(row.Name, row.Description, tags.ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal), aliases.ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal), row.Created));
            }

            return models;
        }
    }

    private async Task<List<ModelVersion>> ReadVersionsAsync(string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await SqlCommand.QueryAsync(connection, null, sql, StoredRows.Version, cancellationToken, parameters).ConfigureAwait(false);
        }
    }

    private static async Task<long> InsertModelAsync(SqliteConnection c, SqliteTransaction t, string name, string description, DateTimeOffset at, CancellationToken cancellationToken) =>
        (long)(await SqlCommand.ScalarAsync(c, t, "INSERT INTO registered_models (name, description, created_at) VALUES ($name, $d, $at) RETURNING model_id;", cancellationToken, ("$name", name), ("$d", description), ("$at", at.ToUnixTimeMilliseconds())).ConfigureAwait(false))!;

    private static async Task<long?> FindModelIdAsync(SqliteConnection c, SqliteTransaction? t, string name, CancellationToken cancellationToken) =>
        (long?)await SqlCommand.ScalarAsync(c, t, "SELECT model_id FROM registered_models WHERE name = $name;", cancellationToken, ("$name", name)).ConfigureAwait(false);

    private static async Task<long> RequireModelIdAsync(SqliteConnection c, SqliteTransaction? t, string name, CancellationToken cancellationToken) =>
        await FindModelIdAsync(c, t, name, cancellationToken).ConfigureAwait(false) ?? throw new MlOpsNotFoundException($"No model is named '{name}'.");
}
