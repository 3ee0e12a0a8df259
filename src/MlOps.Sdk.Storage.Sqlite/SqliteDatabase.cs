using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using MlOps.Sdk.Tracking.Search;
using Polly;

namespace MlOps.Sdk.Storage.Sqlite;

/// <summary>Opens configured connections to one database file and runs its migrations once per process.</summary>
internal sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private readonly SqliteStoreOptions _options;
    private readonly ResiliencePipeline _busyRetry;
    private readonly SemaphoreSlim _migrationLock = new(1, 1);
    private static readonly object Configured = new();
    private readonly ConditionalWeakTable<object, object> _configuredHandles = [];
    private volatile bool _migrated;
    private long _writes;

    /// <summary>
    /// Statistics are refreshed when a connection is first opened and every this many writes, as SQLite advises for
    /// long-lived connections: the planner picks the index a search starts from by them.
    /// </summary>
    private const int WritesBetweenOptimizations = 1_000;

    /// <summary>
    /// ANALYZE where the statistics are missing or stale (a table grew 25-fold since), on every table (0x10000). A full
    /// analysis: a sampled one (<c>analysis_limit</c>) reads the first rows of each index, all of one key, and tells the
    /// planner each key has a thousand rows where it has a million.
    /// </summary>
    private const string Optimize = "PRAGMA optimize=0x10002;";

    public SqliteDatabase(string path, SqliteStoreOptions options, ResiliencePipeline busyRetry)
    {
        _busyRetry = busyRetry;
        Path = System.IO.Path.GetFullPath(path);
        _options = options;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
    }

    public string Path { get; }

    /// <summary>Sets a connection's page cache to <see cref="SqliteStoreOptions.PageCacheMebibytes"/>.</summary>
    public string CacheSizePragma => $"PRAGMA cache_size=-{_options.PageCacheMebibytes * 1024L};";

    /// <summary>
    /// Brings the planner's statistics up to date on tables that changed much since they were gathered (after a bulk
    /// import, say). Cheap when nothing did. Called after a commit, so it neither fails nor can be cancelled.
    /// </summary>
    public async Task OptimizeAfterCommitAsync()
    {
        var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await TryOptimizeAsync(connection, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Refreshes statistics unless SQLite cannot now (another connection holds the write lock past the busy timeout, a
    /// full disk): they are an optimisation, never a reason to fail.
    /// </summary>
    private static async Task TryOptimizeAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(connection, Optimize, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException)
        {
        }
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_migrated)
        {
            await MigrateAsync(cancellationToken).ConfigureAwait(false);
        }

        return await OpenConfiguredAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> in a write transaction that holds the write lock from its start.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        await _busyRetry.ExecuteAsync(
            async ct =>
            {
                var connection = await OpenAsync(ct).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    var transaction = connection.BeginTransaction(deferred: false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        var result = await work(connection, transaction).ConfigureAwait(false);
                        await transaction.CommitAsync(ct).ConfigureAwait(false);
                        if (Interlocked.Increment(ref _writes) % WritesBetweenOptimizations == 0)
                        {
                            // After the commit: nothing here may fail the write or have it retried.
                            await TryOptimizeAsync(connection, CancellationToken.None).ConfigureAwait(false);
                        }

                        return result;
                    }
                }
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary>Makes <c>mlops_ilike</c> (the provider-independent ILIKE of <see cref="LikePattern"/>) callable on this connection.</summary>
    public static void AddILikeFunction(SqliteConnection connection) =>
        connection.CreateFunction<string?, string?, bool>(
            "mlops_ilike",
            static (value, pattern) => value is not null && pattern is not null && LikePattern.IsMatch(value, pattern, ignoreCase: true),
            isDeterministic: true);

    private async Task<SqliteConnection> OpenConfiguredAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // These settings live on the native handle, which the pool hands out again: set them once per handle.
            var handle = connection.Handle!;
            if (!_configuredHandles.TryGetValue(handle, out _))
            {
                var busyMs = ((long)_options.BusyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
                var synchronous = _options.DurableCommits ? "FULL" : "NORMAL";
                await ExecuteAsync(connection, $"PRAGMA busy_timeout={busyMs}; PRAGMA synchronous={synchronous}; PRAGMA foreign_keys=ON; {CacheSizePragma}", cancellationToken).ConfigureAwait(false);
                await TryOptimizeAsync(connection, cancellationToken).ConfigureAwait(false);
                _configuredHandles.AddOrUpdate(handle, Configured);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
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

            WritableDirectory.Ensure(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!, "SQLite database");
            await _busyRetry.ExecuteAsync(
                async ct =>
                {
                    var connection = await OpenConfiguredAsync(ct).ConfigureAwait(false);
                    await using (connection.ConfigureAwait(false))
                    {
                        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", ct).ConfigureAwait(false);

                        // BEGIN IMMEDIATE: of several processes starting at once, one migrates while the others wait,
                        // then read the new version and do nothing.
                        var transaction = connection.BeginTransaction(deferred: false);
                        await using (transaction.ConfigureAwait(false))
                        {
                            await SqliteSchema.MigrateAsync(connection, transaction, ct).ConfigureAwait(false);
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

    internal static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = sql;
            command.Transaction = transaction;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
