using System.Runtime.CompilerServices;
using System.Text.Json;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Audit;
using MlOps.Sdk.Versioning.Onnx;
using MlOps.Sdk.Versioning.Storage;
using Npgsql;

namespace MlOps.Sdk.Storage.PostgreSql.Versioning;

/// <summary>
/// The registry on PostgreSQL. Every change runs as a serial write (the store's advisory write lock, then the change and
/// its audit entry in one transaction): version numbers are taken once, and the audit log stays one chain, across
/// every instance sharing the database.
/// </summary>
internal sealed partial class PostgreSqlModelRegistryStore(PostgreSqlDatabase database) : ModelRegistryStore
{
    private const string VersionColumns = "m.name, v.number, v.status, v.digest, v.length, v.source_run_id, v.signature_json, v.signatures_json, v.created_by, v.created_at, v.status_message, v.input_example";
    private const string VersionsOfModels = $"SELECT {VersionColumns} FROM model_versions v JOIN registered_models m ON m.model_id = v.model_id";

    public override async Task<RegisteredModel> CreateModelAsync(string name, string description, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        try
        {
            await WriteAsync(
                async (c, t) =>
                {
                    await InsertModelAsync(c, t, name, description, audit.Time, cancellationToken).ConfigureAwait(false);
                    await PostgreSqlAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
                    return 0;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new MlOpsConflictException($"A model named '{name}' already exists.");
        }

        return (await GetModelAsync(name, cancellationToken).ConfigureAwait(false))!;
    }

    public override async Task<RegisteredModel?> GetModelAsync(string name, CancellationToken cancellationToken = default) =>
        (await ReadModelsAsync("WHERE name = $1", cancellationToken, name).ConfigureAwait(false)).FirstOrDefault();

    public override async Task<IReadOnlyList<RegisteredModel>> ListModelsAsync(CancellationToken cancellationToken = default) =>
        await ReadModelsAsync(string.Empty, cancellationToken).ConfigureAwait(false);

    public override async Task RenameModelAsync(string name, string newName, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        try
        {
            await WriteAsync(
                async (c, t) =>
                {
                    await RequireModelIdAsync(c, t, name, cancellationToken).ConfigureAwait(false);
                    await Sql.ExecuteAsync(c, t, "UPDATE registered_models SET name = $1 WHERE name = $2;", cancellationToken, newName, name).ConfigureAwait(false);
                    await PostgreSqlAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
                    return 0;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new MlOpsConflictException($"A model named '{newName}' already exists.");
        }
    }

    public override Task UpdateModelAsync(string name, string? description, IReadOnlyDictionary<string, string?> tags, AuditDraft audit, CancellationToken cancellationToken = default) =>
        WriteAsync(
            async (c, t) =>
            {
                var id = await RequireModelIdAsync(c, t, name, cancellationToken).ConfigureAwait(false);
                if (description is not null)
                {
                    await Sql.ExecuteAsync(c, t, "UPDATE registered_models SET description = $1 WHERE model_id = $2;", cancellationToken, description, id).ConfigureAwait(false);
                }

                foreach (var (key, value) in tags)
                {
                    if (value is null)
                    {
                        await Sql.ExecuteAsync(c, t, "DELETE FROM model_tags WHERE model_id = $1 AND key = $2;", cancellationToken, id, key).ConfigureAwait(false);
                    }
                    else
                    {
                        await Sql.ExecuteAsync(c, t, "INSERT INTO model_tags (model_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value;", cancellationToken, id, key, value).ConfigureAwait(false);
                    }
                }

                await PostgreSqlAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
                return 0;
            },
            cancellationToken);

    public override async Task<ModelVersion> ReserveVersionAsync(string modelName, string? sourceRunId, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var number = await WriteAsync(
            async (c, t) =>
            {
                // The write lock is held: max + 1 cannot be taken twice, whichever instance asks.
                var id = await FindModelIdAsync(c, t, modelName, cancellationToken).ConfigureAwait(false)
                    ?? await InsertModelAsync(c, t, modelName, string.Empty, audit.Time, cancellationToken).ConfigureAwait(false);
                var next = (int)(await Sql.ScalarAsync(c, t, "SELECT COALESCE(MAX(number), 0) + 1 FROM model_versions WHERE model_id = $1;", cancellationToken, id).ConfigureAwait(false))!;
                await Sql.ExecuteAsync(
                    c,
                    t,
                    "INSERT INTO model_versions (model_id, number, status, source_run_id, created_by, created_at) VALUES ($1, $2, 'PENDING', $3, $4, $5);",
                    cancellationToken,
                    id,
                    next,
                    sourceRunId,
                    audit.Actor,
                    audit.Time.ToUnixTimeMilliseconds()).ConfigureAwait(false);
                await PostgreSqlAuditLog.AppendAsync(c, t, audit with { Subject = $"{modelName}/{next}" }, cancellationToken).ConfigureAwait(false);
                return next;
            },
            cancellationToken).ConfigureAwait(false);
        return (await GetVersionAsync(modelName, number, cancellationToken).ConfigureAwait(false))!;
    }

    public override async Task<ModelVersion> CompleteVersionAsync(string modelName, int number, ContentDigest digest, long length, ModelSignature? signature, ContentDigest? inputExample, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        var changed = await WriteAsync(
            async (c, t) =>
            {
                var id = await RequireModelIdAsync(c, t, modelName, cancellationToken).ConfigureAwait(false);
                var rows = await Sql.ExecuteAsync(
                    c,
                    t,
                    "UPDATE model_versions SET status = 'READY', digest = $1, length = $2, signature_json = $3, input_example = $4 WHERE model_id = $5 AND number = $6 AND status = 'PENDING';",
                    cancellationToken,
                    digest.ToString(),
                    length,
                    signature is null ? null : JsonSerializer.Serialize(signature, VersionJson.Default.ModelSignature),
                    inputExample?.ToString(),
                    id,
                    number).ConfigureAwait(false);
                if (rows == 1)
                {
                    await PostgreSqlAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
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
        WriteAsync(
            async (c, t) =>
            {
                var id = await RequireModelIdAsync(c, t, modelName, cancellationToken).ConfigureAwait(false);
                var rows = await Sql.ExecuteAsync(c, t, "UPDATE model_versions SET status = 'FAILED', status_message = $1 WHERE model_id = $2 AND number = $3 AND status = 'PENDING';", cancellationToken, message, id, number).ConfigureAwait(false);
                if (rows == 1)
                {
                    await PostgreSqlAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
                }

                return rows;
            },
            cancellationToken);

    public override async Task<ModelVersion?> GetVersionAsync(string modelName, int number, CancellationToken cancellationToken = default) =>
        (await ReadVersionsAsync($"{VersionsOfModels} WHERE m.name = $1 AND v.number = $2;", cancellationToken, modelName, number).ConfigureAwait(false)).FirstOrDefault();

    public override async Task<ModelVersion?> ResolveAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default) =>
        (await ReadVersionsAsync(
            $"SELECT {VersionColumns} FROM model_aliases a JOIN registered_models m ON m.model_id = a.model_id JOIN model_versions v ON v.model_id = a.model_id AND v.number = a.number WHERE m.name = $1 AND a.alias = $2;",
            cancellationToken,
            modelName,
            alias).ConfigureAwait(false)).FirstOrDefault();

    public override async Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, int afterNumber, int limit, CancellationToken cancellationToken = default) =>
        await ReadVersionsAsync($"{VersionsOfModels} WHERE m.name = $1 AND v.number > $2 ORDER BY v.number LIMIT $3;", cancellationToken, modelName, afterNumber, limit).ConfigureAwait(false);

    public override async Task<IReadOnlyList<ModelVersion>> FindVersionsFromRunsAsync(IReadOnlyCollection<string> runIds, CancellationToken cancellationToken = default) =>
        await ReadVersionsAsync($"{VersionsOfModels} WHERE v.source_run_id = ANY($1) ORDER BY m.name, v.number;", cancellationToken, (object)runIds.ToArray()).ConfigureAwait(false);

    public override IAsyncEnumerable<ContentDigest> ListReferencedArtifactsAsync(CancellationToken cancellationToken = default) =>
        PostgreSqlDigests.ReadAsync(database, "SELECT digest FROM model_versions WHERE digest IS NOT NULL UNION SELECT input_example FROM model_versions WHERE input_example IS NOT NULL;", cancellationToken);

    public override async IAsyncEnumerable<AuditEntry> ReadAuditLogAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var entries = await database.ReadAsync(
            (c, ct) => Sql.QueryAsync(c, null, $"SELECT {PostgreSqlAuditLog.Columns} FROM audit_log ORDER BY sequence;", PostgreSqlAuditLog.Read, ct),
            cancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            yield return entry;
        }
    }

    private Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        database.WriteAsync(work, cancellationToken, serial: true);

    private Task<List<RegisteredModel>> ReadModelsAsync(string where, CancellationToken cancellationToken, params object?[] values) =>
        database.ReadAsync(
            async (c, ct) =>
            {
                var rows = await Sql.QueryAsync(c, null, $"SELECT model_id, name, description, created_at FROM registered_models {where} ORDER BY name;", r => (Id: r.GetInt64(0), Name: r.GetString(1), Description: r.GetString(2), Created: r.Time(3)), ct, values).ConfigureAwait(false);
                var ids = rows.Select(r => r.Id).ToArray();
                var tags = await Sql.QueryAsync(c, null, "SELECT model_id, key, value FROM model_tags WHERE model_id = ANY($1);", r => (Id: r.GetInt64(0), Key: r.GetString(1), Value: r.GetString(2)), ct, ids).ConfigureAwait(false);
                var aliases = await Sql.QueryAsync(c, null, "SELECT model_id, alias, number FROM model_aliases WHERE model_id = ANY($1);", r => (Id: r.GetInt64(0), Alias: r.GetString(1), Number: r.GetInt32(2)), ct, ids).ConfigureAwait(false);
                return rows.Select(row => new RegisteredModel(
                    row.Name,
                    row.Description,
                    tags.Where(x => x.Id == row.Id).ToDictionary(x => x.Key, x => x.Value, StringComparer.Ordinal),
                    aliases.Where(x => x.Id == row.Id).ToDictionary(x => x.Alias, x => x.Number, StringComparer.Ordinal),
                    row.Created)).ToList();
            },
            cancellationToken);

    private Task<List<ModelVersion>> ReadVersionsAsync(string sql, CancellationToken cancellationToken, params object?[] values) =>
        database.ReadAsync((c, ct) => Sql.QueryAsync(c, null, sql, StoredRows.Version, ct, values), cancellationToken);

    private static async Task<long> InsertModelAsync(NpgsqlConnection c, NpgsqlTransaction t, string name, string description, DateTimeOffset at, CancellationToken cancellationToken) =>
        (long)(await Sql.ScalarAsync(c, t, "INSERT INTO registered_models (name, description, created_at) VALUES ($1, $2, $3) RETURNING model_id;", cancellationToken, name, description, at.ToUnixTimeMilliseconds()).ConfigureAwait(false))!;

    private static async Task<long?> FindModelIdAsync(NpgsqlConnection c, NpgsqlTransaction? t, string name, CancellationToken cancellationToken) =>
        (long?)await Sql.ScalarAsync(c, t, "SELECT model_id FROM registered_models WHERE name = $1;", cancellationToken, name).ConfigureAwait(false);

    private static async Task<long> RequireModelIdAsync(NpgsqlConnection c, NpgsqlTransaction? t, string name, CancellationToken cancellationToken) =>
        await FindModelIdAsync(c, t, name, cancellationToken).ConfigureAwait(false) ?? throw new MlOpsNotFoundException($"No model is named '{name}'.");
}
