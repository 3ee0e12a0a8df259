using System.Text.Json;
using Microsoft.Data.Sqlite;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Audit;
using MlOps.Sdk.Versioning.Storage;

namespace MlOps.Sdk.Storage.Sqlite.Versioning;

internal sealed partial class SqliteModelRegistryStore
{
    public override Task<AliasMove> MoveAliasAsync(string modelName, string alias, int? version, ContentDigest? expectedDigest, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return database.WriteAsync(
            async (c, t) =>
            {
                var id = await RequireModelIdAsync(c, t, modelName, cancellationToken).ConfigureAwait(false);
                if (version is { } number)
                {
                    var row = await SqlCommand.QueryAsync(c, t, "SELECT status, digest FROM model_versions WHERE model_id = $id AND number = $n;", r => (Status: r.GetString(0), Digest: r.NullableString(1)), cancellationToken, ("$id", id), ("$n", number)).ConfigureAwait(false);
                    if (row.Count == 0)
                    {
                        throw new MlOpsNotFoundException($"Model '{modelName}' has no version {number}.");
                    }

                    if (row[0].Status != "READY" || (expectedDigest is { } expected && row[0].Digest != expected.ToString()))
                    {
                        throw new MlOpsConflictException($"Version {modelName}/{number} is not ready with digest {expectedDigest}; its content changed since it was checked. The alias was not moved.");
                    }
                }

                var from = (long?)await SqlCommand.ScalarAsync(c, t, "SELECT number FROM model_aliases WHERE model_id = $id AND alias = $a;", cancellationToken, ("$id", id), ("$a", alias)).ConfigureAwait(false);
                await SqlCommand.ExecuteAsync(
                    c,
                    t,
                    version is null ? "DELETE FROM model_aliases WHERE model_id = $id AND alias = $a;" : "INSERT INTO model_aliases (model_id, alias, number) VALUES ($id, $a, $n) ON CONFLICT (model_id, alias) DO UPDATE SET number = excluded.number;",
                    cancellationToken,
                    ("$id", id),
                    ("$a", alias),
                    ("$n", version)).ConfigureAwait(false);
                var move = new AliasMove(modelName, alias, (int?)from, version, DateTimeOffset.FromUnixTimeMilliseconds(audit.Time.ToUnixTimeMilliseconds()), audit.Actor);
                await SqlCommand.ExecuteAsync(
                    c,
                    t,
                    "INSERT INTO alias_moves (model_id, alias, from_number, to_number, moved_at, actor) VALUES ($id, $a, $from, $to, $at, $actor);",
                    cancellationToken,
                    ("$id", id),
                    ("$a", alias),
                    ("$from", move.FromVersion),
                    ("$to", move.ToVersion),
                    ("$at", move.At.ToUnixTimeMilliseconds()),
                    ("$actor", move.Actor)).ConfigureAwait(false);
                await SqliteAuditLog.AppendAsync(c, t, audit with { Before = from?.ToString(System.Globalization.CultureInfo.InvariantCulture) }, cancellationToken).ConfigureAwait(false);
                return move;
            },
            cancellationToken);
    }

    public override Task RecordDeploymentAsync(ModelDeployment deployment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return database.WriteAsync(
            (c, t) => SqlCommand.ExecuteAsync(
                c,
                t,
                "INSERT INTO model_deployments (model, number, digest, instance, variant, started_at) VALUES ($model, $number, $digest, $instance, $variant, $at);",
                cancellationToken,
                ("$model", deployment.ModelName),
                ("$number", deployment.Version),
                ("$digest", deployment.Digest.ToString()),
                ("$instance", deployment.Instance),
                ("$variant", deployment.Variant),
                ("$at", deployment.StartedAt.ToUnixTimeMilliseconds())),
            cancellationToken);
    }

    public override async Task<IReadOnlyList<ModelDeployment>> ListDeploymentsAsync(string modelName, int version, CancellationToken cancellationToken = default)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await SqlCommand.QueryAsync(
                connection,
                null,
                "SELECT model, number, digest, instance, variant, started_at FROM model_deployments WHERE model = $model AND number = $number ORDER BY deployment_id;",
                r => new ModelDeployment(r.GetString(0), r.GetInt32(1), ContentDigest.Parse(r.GetString(2)), r.GetString(3), r.GetString(4), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5))),
                cancellationToken,
                ("$model", modelName),
                ("$number", version)).ConfigureAwait(false);
        }
    }

    public override async Task<IReadOnlyList<AliasMove>> GetAliasHistoryAsync(string modelName, string? alias, CancellationToken cancellationToken = default)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await SqlCommand.QueryAsync(
                connection,
                null,
                "SELECT m.name, x.alias, x.from_number, x.to_number, x.moved_at, x.actor FROM alias_moves x JOIN registered_models m ON m.model_id = x.model_id WHERE m.name = $name AND ($alias IS NULL OR x.alias = $alias) ORDER BY x.move_id;",
                r => new AliasMove(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt32(2), r.IsDBNull(3) ? null : r.GetInt32(3), r.Time(4), r.GetString(5)),
                cancellationToken,
                ("$name", modelName),
                ("$alias", alias)).ConfigureAwait(false);
        }
    }

    public override async Task<ApprovalRequest> CreateApprovalRequestAsync(ApprovalRequest request, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = await database.WriteAsync(
            async (c, t) =>
            {
                var modelId = await RequireModelIdAsync(c, t, request.ModelName, cancellationToken).ConfigureAwait(false);
                var requestId = (long)(await SqlCommand.ScalarAsync(
                    c,
                    t,
                    "INSERT INTO approval_requests (model_id, alias, number, digest, required, requester, comment, requested_at, state) VALUES ($m, $a, $n, $d, $req, $by, $c, $at, 'PENDING') RETURNING request_id;",
                    cancellationToken,
                    ("$m", modelId),
                    ("$a", request.Alias),
                    ("$n", request.Version),
                    ("$d", request.Digest.ToString()),
                    ("$req", request.RequiredApprovals),
                    ("$by", request.Requester),
                    ("$c", request.Comment),
                    ("$at", request.RequestedAt.ToUnixTimeMilliseconds())).ConfigureAwait(false))!;
                await SqliteAuditLog.AppendAsync(c, t, audit with { After = $"request {requestId}: {audit.After}" }, cancellationToken).ConfigureAwait(false);
                return requestId;
            },
            cancellationToken).ConfigureAwait(false);
        return (await GetApprovalRequestAsync(id, cancellationToken).ConfigureAwait(false))!;
    }

    public override async Task<ApprovalRequest?> GetApprovalRequestAsync(long id, CancellationToken cancellationToken = default)
    {
        var requests = await ReadRequestsAsync("WHERE q.request_id = $id", cancellationToken, ("$id", id)).ConfigureAwait(false);
        return requests.Count == 0 ? null : requests[0];
    }

    public override async Task<IReadOnlyList<ApprovalRequest>> ListApprovalRequestsAsync(string modelName, string alias, CancellationToken cancellationToken = default) =>
        await ReadRequestsAsync("WHERE m.name = $name AND q.alias = $alias", cancellationToken, ("$name", modelName), ("$alias", alias)).ConfigureAwait(false);

    public override async Task<ApprovalRequest> AddDecisionAsync(long id, ApprovalDecision decision, ApprovalState newState, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decision);
        try
        {
            await database.WriteAsync(
                async (c, t) =>
                {
                    var state = (string?)await SqlCommand.ScalarAsync(c, t, "SELECT state FROM approval_requests WHERE request_id = $id;", cancellationToken, ("$id", id)).ConfigureAwait(false)
                        ?? throw new MlOpsNotFoundException($"No approval request has id {id}.");
                    if (state != "PENDING")
                    {
                        throw new MlOpsConflictException($"Approval request {id} is already {state.ToLowerInvariant()}.");
                    }

                    await SqlCommand.ExecuteAsync(c, t, "INSERT INTO approval_decisions (request_id, approver, approved, comment, decided_at) VALUES ($id, $who, $ok, $c, $at);", cancellationToken, ("$id", id), ("$who", decision.Approver), ("$ok", decision.Approved ? 1 : 0), ("$c", decision.Comment), ("$at", decision.At.ToUnixTimeMilliseconds())).ConfigureAwait(false);
                    await SqlCommand.ExecuteAsync(c, t, "UPDATE approval_requests SET state = $s WHERE request_id = $id;", cancellationToken, ("$s", newState.ToString().ToUpperInvariant()), ("$id", id)).ConfigureAwait(false);
                    await SqliteAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
                    return 0;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new MlOpsConflictException($"'{decision.Approver}' has already decided on approval request {id}.");
        }

        return (await GetApprovalRequestAsync(id, cancellationToken).ConfigureAwait(false))!;
    }

    public override Task AddSignatureAsync(string modelName, int number, VersionSignature signature, AuditDraft audit, CancellationToken cancellationToken = default) =>
        database.WriteAsync(
            async (c, t) =>
            {
                var id = await RequireModelIdAsync(c, t, modelName, cancellationToken).ConfigureAwait(false);
                var json = (string?)await SqlCommand.ScalarAsync(c, t, "SELECT signatures_json FROM model_versions WHERE model_id = $id AND number = $n AND status = 'READY';", cancellationToken, ("$id", id), ("$n", number)).ConfigureAwait(false)
                    ?? throw new MlOpsNotFoundException($"Model '{modelName}' has no ready version {number}.");
                var signatures = JsonSerializer.Deserialize(json, VersionJson.Default.ListVersionSignature) ?? [];
                signatures.Add(signature);
                await SqlCommand.ExecuteAsync(c, t, "UPDATE model_versions SET signatures_json = $s WHERE model_id = $id AND number = $n;", cancellationToken, ("$s", JsonSerializer.Serialize(signatures, VersionJson.Default.ListVersionSignature)), ("$id", id), ("$n", number)).ConfigureAwait(false);
                await SqliteAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
                return 0;
            },
            cancellationToken);

    public override Task AppendAuditAsync(AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return database.WriteAsync(
            async (c, t) =>
            {
                await SqliteAuditLog.AppendAsync(c, t, audit, cancellationToken).ConfigureAwait(false);
                return 0;
            },
            cancellationToken);
    }

    private async Task<List<ApprovalRequest>> ReadRequestsAsync(string where, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var requests = await SqlCommand.QueryAsync(
                connection,
                null,
                $"SELECT q.request_id, m.name, q.alias, q.number, q.digest, q.required, q.requester, q.comment, q.requested_at, q.state FROM approval_requests q JOIN registered_models m ON m.model_id = q.model_id {where} ORDER BY q.request_id DESC;",
                r => new ApprovalRequest(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3), ContentDigest.Parse(r.GetString(4)), r.GetInt32(5), r.GetString(6), r.NullableString(7), r.Time(8), Enum.Parse<ApprovalState>(r.GetString(9), ignoreCase: true), []),
                cancellationToken,
                parameters).ConfigureAwait(false);
            for (var i = 0; i < requests.Count; i++)
            {
                var decisions = await SqlCommand.QueryAsync(connection, null, "SELECT approver, approved, comment, decided_at FROM approval_decisions WHERE request_id = $id ORDER BY decided_at;", r => new ApprovalDecision(r.GetString(0), r.GetInt64(1) != 0, r.NullableString(2), r.Time(3)), cancellationToken, ("$id", requests[i].Id)).ConfigureAwait(false);
                requests[i] = requests[i] with { Decisions = decisions };
            }

            return requests;
        }
    }
}
