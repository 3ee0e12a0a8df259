using System.Runtime.CompilerServices;

namespace MlOps.Sdk.Storage.PostgreSql;

/// <summary>Reads a column of digests, streaming: a store may reference millions.</summary>
internal static class PostgreSqlDigests
{
    public static async IAsyncEnumerable<ContentDigest> ReadAsync(PostgreSqlDatabase database, string sql, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Sql.Command(connection, null, sql);
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
