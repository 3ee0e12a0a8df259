using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace MlOps.Sdk.Storage.Sqlite;

/// <summary>
/// One read statement kept prepared on a few dedicated connections, for reads on a hot path (resolving an alias):
/// no pool lookup, no SQL parsing per call. Each call autocommits, so it sees what other processes committed.
/// </summary>
internal sealed class PreparedQuery(SqliteDatabase database, string sql, params string[] parameterNames) : IDisposable
{
    private const int MaxIdle = 8;
    private readonly ConcurrentBag<SqliteCommand> _idle = [];

    public async ValueTask<T> RunAsync<T>(Func<SqliteDataReader, T> read, CancellationToken cancellationToken, params object?[] values)
    {
        if (!_idle.TryTake(out var command))
        {
            command = await PrepareAsync(cancellationToken).ConfigureAwait(false);
        }

        var healthy = false;
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            T result;
            using (var reader = command.ExecuteReader())
            {
                result = read(reader);
            }

            healthy = true;
            return result;
        }
        finally
        {
            if (healthy && _idle.Count < MaxIdle)
            {
                _idle.Add(command);
            }
            else
            {
                Close(command);
            }
        }
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var command))
        {
            Close(command);
        }
    }

    private async Task<SqliteCommand> PrepareAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameterNames)
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }

        command.Prepare();
        return command;
    }

    private static void Close(SqliteCommand command)
    {
        var connection = command.Connection;
        command.Dispose();
        connection?.Dispose();
    }
}
