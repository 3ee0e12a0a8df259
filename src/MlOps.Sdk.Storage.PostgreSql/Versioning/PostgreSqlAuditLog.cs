using MlOps.Sdk.Versioning.Audit;
using MlOps.Sdk.Versioning.Storage;
using Npgsql;

namespace MlOps.Sdk.Storage.PostgreSql.Versioning;

/// <summary>
/// Appends to the hash chain inside the caller's serial write transaction, which holds the store's write lock: appends
/// from every instance are one chain, in one order.
/// </summary>
internal static class PostgreSqlAuditLog
{
    public const string Columns = "sequence, time, actor, action, subject, before, after, reason, previous_hash, hash";

    public static async Task AppendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AuditDraft draft, CancellationToken cancellationToken)
    {
        var last = await Sql.QueryAsync(connection, transaction, "SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1;", r => (r.GetInt64(0), r.GetString(1)), cancellationToken).ConfigureAwait(false);
        var (sequence, previous) = last.Count == 0 ? (0L, AuditChain.GenesisHash) : last[0];
        var entry = AuditChain.Seal(draft, sequence + 1, previous);
        await Sql.ExecuteAsync(
            connection,
            transaction,
            $"INSERT INTO audit_log ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);",
            cancellationToken,
            entry.Sequence,
            entry.Time.ToUnixTimeMilliseconds(),
            entry.Actor,
            entry.Action,
            entry.Subject,
            entry.Before,
            entry.After,
            entry.Reason,
            entry.PreviousHash,
            entry.Hash).ConfigureAwait(false);
    }

    public static AuditEntry Read(NpgsqlDataReader r) =>
        new(r.GetInt64(0), r.Time(1), r.GetString(2), r.GetString(3), r.GetString(4), r.NullableString(5), r.NullableString(6), r.NullableString(7), r.GetString(8), r.GetString(9));
}
