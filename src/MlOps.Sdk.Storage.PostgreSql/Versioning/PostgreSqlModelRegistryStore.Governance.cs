using System.Globalization;
using System.Text.Json;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Storage;
using Npgsql;
using NpgsqlTypes;

namespace MlOps.Sdk.Storage.PostgreSql.Versioning;

internal sealed partial class PostgreSqlModelRegistryStore
{
    private const string RequestColumns = "q.request_id, m.name, q.alias, q.number, q.digest, q.required, q.requester, q.comment, q.requested_at, q.state";

    public override Task<AliasMove> MoveAliasAsync(string modelName, string alias, int? version, ContentDigest? expectedDigest, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return WriteAsync(
            async (c, t) =>
            {
                var id = await RequireModelIdAsync(c, t, modelName, cancellationToken).ConfigureAwait(false);
                if (version is { } number)
                {
                    var row = await Sql.QueryAsync(c, t, "SELECT status, digest FROM model_versions WHERE model_id = $1 AND number = $2;", r => (Status: r.GetString(0), Digest: r.NullableString(1)), cancellationToken, id, number).ConfigureAwait(false);
                    if (row.Count == 0)
                    {
                        throw new MlOpsNotFoundException($"Model '{modelName}' has no version {number}.");
                    }

                    if (row[0].Status != "READY" || (expectedDigest is { } expected && row[0].Digest != expected.ToString()))
                    {
                        throw new MlOpsConflictException($"Version {modelName}/{number} is not ready with digest {expectedDigest}; its content changed since it was checked. The alias was not moved.");
                    }
                }

                var from = (int?)await Sql.ScalarAsync(c, t, "SELECT number FROM model_aliases WHERE model_id = $1 AND alias = $2;", cancellationToken, id, alias).ConfigureAwait(false);
                if (version is null)
                {
                    await Sql.ExecuteAsync(c, t, "DELETE FROM model_aliases WHERE model_id = $1 AND alias = $2;", cancellationToken, id, alias).ConfigureAwait(false);
                }
                else
                {
                    await Sql.ExecuteAsync(c, t, "INSERT INTO model_aliases (model_id, alias, number) VALUES ($1, $2, $3) ON CONFLICT (model_id, alias) DO UPDATE SET number = excluded.number;", cancellationToken, id, alias, version.Value).ConfigureAwait(false);
                }

                var move = new AliasMove(modelName, alias, from, version, DateTimeOffset.FromUnixTimeMilliseconds(audit.Time.ToUnixTimeMilliseconds()), audit.Actor);
                await Sql.ExecuteAsync(
                    c,
                    t,
                    "INSERT INTO alias_moves (model_id, alias, from_number, to_number, moved_at, actor) VALUES ($1, $2, $3, $4, $5, $6);",
                    cancellationToken,
                    id,
                    alias,
                    Number(move.FromVersion),
                    Number(move.ToVersion),
                    move.At.ToUnixTimeMilliseconds(),
                    move.Actor).ConfigureAwait(false);
                await PostgreSqlAuditLog.AppendAsync(c, t, audit with { Before = from?.ToString(CultureInfo.InvariantCulture) }, cancellationToken).ConfigureAwait(false);

                // Delivered to every listening instance when this transaction commits, never before, never if it rolls back.
                await Sql.ExecuteAsync(c, t, "SELECT pg_notify($1, current_schema());", cancellationToken, AliasMovesChannel).ConfigureAwait(false);
                return move;
            },
            cancellationToken);
    }

    public override Task RecordDeploymentAsync(ModelDeployment deployment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return database.WriteAsync(
            (c, t) => Sql.ExecuteAsync(
                c,
                t,
                "INSERT INTO model_deployments (model, number, digest, instance, variant, started_at) VALUES ($1, $2, $3, $4, $5, $6);",
                cancellationToken,
                deployment.ModelName,
                deployment.Version,
                deployment.Digest.ToString(),
                deployment.Instance,
                deployment.Variant,
                deployment.StartedAt.ToUnixTimeMilliseconds()),
            cancellationToken);
    }

    public override async Task<IReadOnlyList<ModelDeployment>> ListDeploymentsAsync(string modelName, int version, CancellationToken cancellationToken = default) =>
        await database.ReadAsync(
            (c, ct) => Sql.QueryAsync(
                c,
                null,
                "SELECT model, number, digest, instance, variant, started_at FROM model_deployments WHERE model = $1 AND number = $2 ORDER BY deployment_id;",
                r => new ModelDeployment(r.GetString(0), r.GetInt32(1), ContentDigest.Parse(r.GetString(2)), r.GetString(3), r.GetString(4), r.Time(5)),
                ct,
                modelName,
                version),
            cancellationToken).ConfigureAwait(false);

    public override async Task<IReadOnlyList<AliasMove>> GetAliasHistoryAsync(string modelName, string? alias, CancellationToken cancellationToken = default) =>
        await database.ReadAsync(
            (c, ct) => Sql.QueryAsync(
                c,
                null,
                "SELECT m.name, x.alias, x.from_number, x.to_number, x.moved_at, x.actor FROM alias_moves x JOIN registered_models m ON m.model_id = x.model_id WHERE m.name = $1 AND ($2::text IS NULL OR x.alias = $2) ORDER BY x.move_id;",
                r => new AliasMove(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt32(2), r.IsDBNull(3) ? null : r.GetInt32(3), r.Time(4), r.GetString(5)),
                ct,
                modelName,
                alias),
            cancellationToken).ConfigureAwait(false);

    public override async Task<ApprovalRequest> CreateApprovalRequestAsync(ApprovalRequest request, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(audit);
        var id = await WriteAsync(
            async (c, t) =>
            {
                var modelId = await RequireModelIdAsync(c, t, request.ModelName, cancellationToken).ConfigureAwait(false);
                var requestId = (long)(await Sql.ScalarAsync(
                    c,
                    t,
                    "INSERT INTO approval_requests (model_id, alias, number, digest, required, requester, comment, requested_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'PENDING') RETURNING request_id;",
                    cancellationToken,
                    modelId,
                    request.Alias,
                    request.Version,
                    request.Digest.ToString(),
                    request.RequiredApprovals,
                    request.Requester,
                    request.Comment,
                    request.RequestedAt.ToUnixTimeMilliseconds()).ConfigureAwait(false))!;
                await PostgreSqlAuditLog.AppendAsync(c, t, audit with { After = $"request {requestId}: {audit.After}" }, cancellationToken).ConfigureAwait(false);
                return requestId;
            },
            cancellationToken).ConfigureAwait(false);
        return (await GetApprovalRequestAsync(id, cancellationToken).ConfigureAwait(false))!;
    }

    public override async Task<ApprovalRequest?> GetApprovalRequestAsync(long id, CancellationToken cancellationToken = default) =>
        (await ReadRequestsAsync("WHERE q.request_id = $1", cancellationToken, id).ConfigureAwait(false)).FirstOrDefault();

    public override async Task<IReadOnlyList<ApprovalRequest>> ListApprovalRequestsAsync(string modelName, string alias, CancellationToken cancellationToken = default) =>
        await ReadRequestsAsync("WHERE m.name = $1 AND q.alias = $2", cancellationToken, modelName, alias).ConfigureAwait(false);

    public override async Task<ApprovalRequest> AddDecisionAsync(long id, ApprovalDecision decision, ApprovalState newState, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decision);
        try
        {
            await WriteAsync(
                async (c, t) =>
                {
                    var state = (string?)await Sql.ScalarAsync(c, t, "SELECT state FROM approval_requests WHERE request_id = $1;", cancellationToken, id).ConfigureAwait(false)
                        ?? throw new MlOpsNotFoundException($"No approval request has id {id}.");
                    if (state != "PENDING")
                    {
                        throw new MlOpsConflictException($"Approval request {id} is already {state.ToLowerInvariant()}.");
                    }

                    await Sql.ExecuteAsync(c, t, "INSERT INTO approval_decisions (request_id, approver, approved, comment, decided_at) VALUES ($1, $2, $3, $4, $5);", cancellationToken, id, decision.Approver, decision.Approved, decision.Comment, decision.At.ToUnixTimeMilliseconds()).ConfigureAwait(false);
                    await Sql.ExecuteAsync(c, t, "UPDATE approval_requests SET state = $1 WHERE request_id = $2;", cancellationToken, newState.ToString().ToUpperInvariant(), id).ConfigureAwait(false);
                    await PostgreSqlAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
                    return 0;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new MlOpsConflictException($"'{decision.Approver}' has already decided on approval request {id}.");
        }

        return (await GetApprovalRequestAsync(id, cancellationToken).ConfigureAwait(false))!;
    }

    public override Task AddSignatureAsync(string modelName, int number, VersionSignature signature, AuditDraft audit, CancellationToken cancellationToken = default) =>
        WriteAsync(
            async (c, t) =>
            {
                var id = await RequireModelIdAsync(c, t, modelName, cancellationToken).ConfigureAwait(false);
                var json = (string?)await Sql.ScalarAsync(c, t, "SELECT signatures_json FROM model_versions WHERE model_id = $1 AND number = $2 AND status = 'READY';", cancellationToken, id, number).ConfigureAwait(false)
                    ?? throw new MlOpsNotFoundException($"Model '{modelName}' has no ready version {number}.");
                var signatures = JsonSerializer.Deserialize(json, VersionJson.Default.ListVersionSignature) ?? [];
                signatures.Add(signature);
                await Sql.ExecuteAsync(c, t, "UPDATE model_versions SET signatures_json = $1 WHERE model_id = $2 AND number = $3;", cancellationToken, JsonSerializer.Serialize(signatures, VersionJson.Default.ListVersionSignature), id, number).ConfigureAwait(false);
                await PostgreSqlAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
                return 0;
            },
            cancellationToken);

    public override Task AppendAuditAsync(AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return WriteAsync(
            async (c, t) =>
            {
                await PostgreSqlAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
                return 0;
            },
            cancellationToken);
    }

    private static object Number(int? value) => value is { } number ? number : Sql.Null(NpgsqlDbType.Integer);

    private Task<List<ApprovalRequest>> ReadRequestsAsync(string where, CancellationToken cancellationToken, params object?[] values) =>
        database.ReadAsync(
            async (c, ct) =>
            {
                var requests = await Sql.QueryAsync(
                    c,
                    null,
                    $"SELECT {RequestColumns} FROM approval_requests q JOIN registered_models m ON m.model_id = q.model_id {where} ORDER BY q.request_id DESC;",
                    r => new ApprovalRequest(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3), ContentDigest.Parse(r.GetString(4)), r.GetInt32(5), r.GetString(6), r.NullableString(7), r.Time(8), Enum.Parse<ApprovalState>(r.GetString(9), ignoreCase: true), []),
                    ct,
                    values).ConfigureAwait(false);
                var decisions = await Sql.QueryAsync(
                    c,
                    null,
                    "SELECT request_id, approver, approved, comment, decided_at FROM approval_decisions WHERE request_id = ANY($1) ORDER BY decided_at, approver;",
                    r => (Id: r.GetInt64(0), Decision: new ApprovalDecision(r.GetString(1), r.GetBoolean(2), r.NullableString(3), r.Time(4))),
                    ct,
                    requests.Select(q => q.Id).ToArray()).ConfigureAwait(false);
                return requests.Select(q => q with { Decisions = decisions.Where(d => d.Id == q.Id).Select(d => d.Decision).ToList() }).ToList();
            },
            cancellationToken);
}
