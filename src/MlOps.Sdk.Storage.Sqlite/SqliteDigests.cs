using System.Runtime.CompilerServices;

namespace MlOps.Sdk.Storage.Sqlite;

/// <summary>Reads a column of digests, streaming: a store may reference millions.</summary>
internal static class SqliteDigests
{
    public static async IAsyncEnumerable<ContentDigest> ReadAsync(SqliteDatabase database, string sql, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = SqlCommand.Create(connection, null, sql);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        yield return ContentDigest.Parse(reader.GetString(0));
                    }
                }
            }
        }
    }
}
