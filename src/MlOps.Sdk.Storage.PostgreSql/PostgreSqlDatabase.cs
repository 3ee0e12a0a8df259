using Npgsql;
using Polly;

namespace MlOps.Sdk.Storage.PostgreSql;

/// <summary>
/// The store's connections: one data source, migrations run once per process under an advisory lock (many instances
/// may start at once), and transactions retried whole after a transient failure without ever applying one twice.
/// </summary>
internal sealed class PostgreSqlDatabase : IAsyncDisposable
{
    /// <summary>The first key of the store's advisory locks ("mlop").</summary>
    private const int LockClass = 0x6D6C6F70;

    private const int WritesBetweenReceiptCleanups = 1_000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string? _schema;
    private readonly ResiliencePipeline _transient;
    private readonly SemaphoreSlim _migrationLock = new(1, 1);
    private volatile bool _migrated;
    private long _writes;

    public PostgreSqlDatabase(NpgsqlDataSource dataSource, bool ownsDataSource, string? schema, ResiliencePipeline transient)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _schema = schema;
        _transient = transient;
    }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_migrated)
        {
            await MigrateAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a read on its own connection, again after a transient failure (a read has no effect to repeat).</summary>
    public Task<T> ReadAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken) =>
        _transient.ExecuteAsync(
            async ct =>
            {
                var connection = await OpenAsync(ct).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    return await read(connection, ct).ConfigureAwait(false);
                }
            },
            cancellationToken).AsTask();

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction, again after a transient failure. Each write leaves a receipt in
    /// the same transaction: when a connection is lost during the commit, the next attempt looks for the receipt and
    /// returns the committed result instead of writing it twice. A <paramref name="serial"/> write first takes the
    /// store's write lock, so such writes (the registry's and datasets', which extend the audit chain) run one at a time
    /// across every instance.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken, bool serial = false)
    {
        var writeId = Guid.NewGuid();
        var committing = default(Tuple<T>);
        var result = await _transient.ExecuteAsync(
            async ct =>
            {
                if (committing is not null && await IsCommittedAsync(writeId, ct).ConfigureAwait(false))
                {
                    return committing.Item1;
                }

                var connection = await OpenAsync(ct).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        if (serial)
                        {
                            await Sql.ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock($1, hashtext(current_schema()));", ct, LockClass).ConfigureAwait(false);
                        }

                        await Sql.ExecuteAsync(connection, transaction, "INSERT INTO write_receipts (write_id) VALUES ($1);", ct, writeId).ConfigureAwait(false);
                        var value = await work(connection, transaction).ConfigureAwait(false);
                        committing = Tuple.Create(value);
                        await transaction.CommitAsync(ct).ConfigureAwait(false);
                        return value;
                    }
                }
            },
            cancellationToken).ConfigureAwait(false);

        if (Interlocked.Increment(ref _writes) % WritesBetweenReceiptCleanups == 0)
        {
            await TryDeleteOldReceiptsAsync().ConfigureAwait(false);
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }

        _migrationLock.Dispose();
    }

    private async Task<bool> IsCommittedAsync(Guid writeId, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await Sql.ScalarAsync(connection, null, "SELECT 1 FROM write_receipts WHERE write_id = $1;", cancellationToken, writeId).ConfigureAwait(false) is not null;
        }
    }

    /// <summary>
    /// Refreshes the planner's statistics of <paramref name="tables"/> after a bulk write of <paramref name="rows"/> rows
    /// into the first of them (an import), when the write grew it by a fifth or more since it was last analysed:
    /// autovacuum would reach it only later, and searches choose their index by these statistics. After a commit: never
    /// fails the write.
    /// </summary>
    public async Task TryAnalyzeAsync(string tables, long rows)
    {
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var first = tables.Split(',')[0].Trim();
                var known = Convert.ToDouble(await Sql.ScalarAsync(connection, null, "SELECT reltuples FROM pg_class WHERE oid = to_regclass($1);", CancellationToken.None, first).ConfigureAwait(false) ?? -1.0, System.Globalization.CultureInfo.InvariantCulture);
                if (known < 0 || rows >= known / 5)
                {
                    await Sql.ExecuteAsync(connection, null, $"ANALYZE {tables};", CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (NpgsqlException)
        {
        }
    }

    /// <summary>Receipts only matter for the seconds a retry takes; a day's worth is kept. After a commit: never fails the write.</summary>
    private async Task TryDeleteOldReceiptsAsync()
    {
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                await Sql.ExecuteAsync(connection, null, "DELETE FROM write_receipts WHERE written_at < now() - interval '1 day';", CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException)
        {
        }
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await _migrationLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_migrated)
            {
                return;
            }

            await _transient.ExecuteAsync(
                async ct =>
                {
                    var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                    await using (connection.ConfigureAwait(false))
                    {
                        var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                        await using (transaction.ConfigureAwait(false))
                        {
                            // Of many instances starting at once, one migrates while the others wait here, then find the
                            // schema current and do nothing. DDL is transactional: a failed migration leaves nothing.
                            await Sql.ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock($1, 0);", ct, LockClass + 1).ConfigureAwait(false);
                            if (_schema is not null)
                            {
                                await Sql.ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS \"{_schema}\";", ct).ConfigureAwait(false);
                            }

                            await PostgreSqlSchema.MigrateAsync(connection, transaction, ct).ConfigureAwait(false);
                            await transaction.CommitAsync(ct).ConfigureAwait(false);
                        }
                    }
                },
                cancellationToken).ConfigureAwait(false);
            _migrated = true;
        }
        finally
        {
            _migrationLock.Release();
        }
    }
}
