using System.Runtime.CompilerServices;
using MlOps.Sdk.Versioning;
using Npgsql;

namespace MlOps.Sdk.Storage.PostgreSql.Versioning;

internal sealed partial class PostgreSqlModelRegistryStore
{
    /// <summary>The channel every alias move is announced on (delivered at commit); the payload is the mover's schema.</summary>
    public const string AliasMovesChannel = "mlops_alias_moves";

    /// <summary>How long the watch waits for a notification before it reads the change sequence anyway.</summary>
    private static readonly TimeSpan WatchPollInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Listens on <see cref="AliasMovesChannel"/> over a connection of its own and, on each notification (or every few
    /// seconds), reads the moves after the last one seen from <c>alias_moves</c>, whose ids are the change sequence. A
    /// lost connection is opened again and the moves made meanwhile are read from the sequence: none is missed.
    /// </summary>
    public override async IAsyncEnumerable<AliasMove> WatchAliasMovesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var last = await database.ReadAsync(
            async (c, ct) => (long)(await Sql.ScalarAsync(c, null, "SELECT coalesce(max(move_id), 0) FROM alias_moves;", ct).ConfigureAwait(false))!,
            cancellationToken).ConfigureAwait(false);
        var delay = TimeSpan.FromMilliseconds(100);
        while (!cancellationToken.IsCancellationRequested)
        {
            var connection = await TryListenAsync(cancellationToken).ConfigureAwait(false);
            if (connection is null)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
                continue;
            }

            await using (connection.ConfigureAwait(false))
            {
                delay = TimeSpan.FromMilliseconds(100);
                while (true)
                {
                    // Catch up first (moves made while no connection listened), then after each wake-up.
                    var moves = await TryReadMovesAsync(connection, last, cancellationToken).ConfigureAwait(false);
                    if (moves is null)
                    {
                        break;
                    }

                    foreach (var (id, move) in moves)
                    {
                        last = id;
                        yield return move;
                    }

                    if (!await TryWaitAsync(connection, cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }
                }
            }
        }
    }

    private async Task<NpgsqlConnection?> TryListenAsync(CancellationToken cancellationToken)
    {
        NpgsqlConnection? connection = null;
        try
        {
            connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await Sql.ExecuteAsync(connection, null, $"LISTEN {AliasMovesChannel};", cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (NpgsqlException)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            return null;
        }
    }

    private static async Task<List<(long Id, AliasMove Move)>?> TryReadMovesAsync(NpgsqlConnection connection, long after, CancellationToken cancellationToken)
    {
        try
        {
            return await Sql.QueryAsync(
                connection,
                null,
                "SELECT x.move_id, m.name, x.alias, x.from_number, x.to_number, x.moved_at, x.actor FROM alias_moves x JOIN registered_models m ON m.model_id = x.model_id WHERE x.move_id > $1 ORDER BY x.move_id;",
                r => (r.GetInt64(0), new AliasMove(r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetInt32(3), r.IsDBNull(4) ? null : r.GetInt32(4), r.Time(5), r.GetString(6))),
                cancellationToken,
                after).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Waits for a notification or the poll interval; false when the connection is lost.</summary>
    private static async Task<bool> TryWaitAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.WaitAsync(WatchPollInterval, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
        {
            return false;
        }
    }
}
