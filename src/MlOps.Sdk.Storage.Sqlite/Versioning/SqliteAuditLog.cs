using Microsoft.Data.Sqlite;
using MlOps.Sdk.Versioning.Audit;
using MlOps.Sdk.Versioning.Storage;

namespace MlOps.Sdk.Storage.Sqlite.Versioning;

/// <summary>Appends to the hash chain inside the caller's write transaction, which holds the write lock: appends are serial.</summary>
internal static class SqliteAuditLog
{
    public static async Task AppendAsync(SqliteConnection connection, SqliteTransaction transaction, AuditDraft draft, CancellationToken cancellationToken)
    {
        var last = await SqlCommand.QueryAsync(connection, transaction, "SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1;", r => (r.GetInt64(0), r.GetString(1)), cancellationToken).ConfigureAwait(false);
        var (sequence, previous) = last.Count == 0 ? (0L, AuditChain.GenesisHash) : last[0];
        var entry = AuditChain.Seal(draft, sequence + 1, previous);
        await SqlCommand.ExecuteAsync(
            connection,
            transaction,
            "INSERT INTO audit_log (sequence, time, actor, action, subject, before, after, reason, previous_hash, hash) VALUES ($s, $t, $actor, $action, $subject, $before, $after, $reason, $prev, $hash);",
            cancellationToken,
            ("$s", entry.Sequence),
            ("$t", entry.Time.ToUnixTimeMilliseconds()),
            ("$actor", entry.Actor),
            ("$action", entry.Action),
            ("$subject", entry.Subject),
            ("$before", entry.Before),
            ("$after", entry.After),
            ("$reason", entry.Reason),
            ("$prev", entry.PreviousHash),
            ("$hash", entry.Hash)).ConfigureAwait(false);
    }

    public static Task<List<AuditEntry>> ReadAsync(SqliteConnection connection, CancellationToken cancellationToken) =>
        SqlCommand.QueryAsync(
            connection,
            null,
            "SELECT sequence, time, actor, action, subject, before, after, reason, previous_hash, hash FROM audit_log ORDER BY sequence;",
            r => new AuditEntry(r.GetInt64(0), r.Time(1), r.GetString(2), r.GetString(3), r.GetString(4), r.NullableString(5), r.NullableString(6), r.NullableString(7), r.GetString(8), r.GetString(9)),
            cancellationToken);
}
