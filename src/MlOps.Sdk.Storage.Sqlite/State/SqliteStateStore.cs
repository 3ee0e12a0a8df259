using MlOps.Sdk.State;

namespace MlOps.Sdk.Storage.Sqlite.State;

/// <summary>The <see cref="StateStore"/> of the embedded default: table <c>state</c>, one row per key.</summary>
internal sealed class SqliteStateStore(SqliteDatabase database, TimeProvider time) : StateStore
{
    public override async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var rows = await SqlCommand.QueryAsync(connection, null, "SELECT value FROM state WHERE key = $key;", r => (byte[])r.GetValue(0), cancellationToken, ("$key", key)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }
    }

    public override Task PutAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        var bytes = value.ToArray();
        return database.WriteAsync(
            (c, t) => SqlCommand.ExecuteAsync(
                c,
                t,
                "INSERT INTO state (key, value, updated_at) VALUES ($key, $value, $at) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;",
                cancellationToken,
                ("$key", key),
                ("$value", bytes),
                ("$at", time.GetUtcNow().ToUnixTimeMilliseconds())),
            cancellationToken);
    }

    public override async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        var deleted = await database.WriteAsync((c, t) => SqlCommand.ExecuteAsync(c, t, "DELETE FROM state WHERE key = $key;", cancellationToken, ("$key", key)), cancellationToken).ConfigureAwait(false);
        return deleted > 0;
    }
}
