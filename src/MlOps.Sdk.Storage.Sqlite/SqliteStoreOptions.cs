using System.ComponentModel.DataAnnotations;

namespace MlOps.Sdk.Storage.Sqlite;

/// <summary>Options of the SQLite metadata store.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The database file.</summary>
    /// <value>The default is <c>mlops.db</c> under <see cref="MlOpsOptions.RootDirectory"/>.</value>
    public string? DatabasePath { get; set; }

    /// <summary>How long a write waits for another process holding the write lock before it fails.</summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether a commit waits for the disk (<c>synchronous=FULL</c>): acknowledged writes then survive a power loss,
    /// not only a crash of the process.
    /// </summary>
    /// <value>The default is true.</value>
    public bool DurableCommits { get; set; } = true;

    /// <summary>
    /// The most memory each open connection keeps of the database's pages, in mebibytes (SQLite's <c>cache_size</c>;
    /// taken as pages are read, not up front). Searches of a large store look runs up all over its indexes: at a
    /// million runs a 0.1% tag search takes 3.7 ms of SQL with SQLite's 2 MiB default and 1.5 ms with 64 MiB.
    /// </summary>
    /// <value>The default is 64.</value>
    [Range(1, 65_536)]
    public int PageCacheMebibytes { get; set; } = 64;
}
