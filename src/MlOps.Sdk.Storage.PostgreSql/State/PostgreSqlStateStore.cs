using MlOps.Sdk.State;

namespace MlOps.Sdk.Storage.PostgreSql.State;

/// <summary>The <see cref="StateStore"/> on PostgreSQL: table <c>state</c>, one row per key.</summary>
internal sealed class PostgreSqlStateStore(PostgreSqlDatabase database, TimeProvider time) : StateStore
{
    public override async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        var rows = await database.ReadAsync((c, ct) => Sql.QueryAsync(c, null, "SELECT value FROM state WHERE key = $1;", r => r.GetFieldValue<byte[]>(0), ct, key), cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public override Task PutAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        var bytes = value.ToArray();
        return database.WriteAsync(
            (c, t) => Sql.ExecuteAsync(
                c,
                t,
                "INSERT INTO state (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;",
                cancellationToken,
                key,
                bytes,
                time.GetUtcNow().ToUnixTimeMilliseconds()),
            cancellationToken);
    }

    public override async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        return await database.WriteAsync((c, t) => Sql.ExecuteAsync(c, t, "DELETE FROM state WHERE key = $1;", cancellationToken, key), cancellationToken).ConfigureAwait(false) > 0;
    }
}
