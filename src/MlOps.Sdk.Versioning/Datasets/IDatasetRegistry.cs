namespace MlOps.Sdk.Versioning;

/// <summary>Dataset versions: snapshots of files stored by content, materialised and compared on demand.</summary>
public interface IDatasetRegistry
{
    /// <summary>
    /// Snapshots a file or a directory tree into the next version of <paramref name="name"/> (or returns the latest
    /// version when nothing changed). Files whose size, modification time and inode are unchanged since the last
    /// snapshot on this machine are not read again. Returns once the version is durable; until then none is visible.
    /// </summary>
    /// <exception cref="UnsafePathException">The tree holds a symbolic link, a special file or a name that is not a plain path segment.</exception>
    Task<DatasetVersion> SnapshotAsync(string name, string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Snapshots as <see cref="SnapshotAsync"/> does, reporting to
    /// <paramref name="progress"/> after each file is stored (files and bytes done of the total), for a progress bar.
    /// </summary>
    Task<DatasetVersion> SnapshotWithProgressAsync(string name, string path, IProgress<DatasetSnapshotProgress>? progress, CancellationToken cancellationToken = default);

    /// <summary>Gets a version, or null.</summary>
    Task<DatasetVersion?> GetVersionAsync(string name, int version, CancellationToken cancellationToken = default);

    /// <summary>Gets the latest version, or null.</summary>
    Task<DatasetVersion?> GetLatestVersionAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists a dataset's versions from the oldest, a page at a time.</summary>
    /// <param name="name">The dataset.</param>
    /// <param name="maxResults">The most versions of a page: 1 to 1,000.</param>
    /// <param name="pageToken">The <see cref="DatasetVersionPage.NextPageToken"/> of the previous page, or null for the first.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="MlOpsValidationException">The page size is out of range, or the token is not one issued for this dataset.</exception>
    Task<DatasetVersionPage> ListVersionsAsync(string name, int maxResults = 100, string? pageToken = null, CancellationToken cancellationToken = default);

    /// <summary>The files of a version.</summary>
    Task<IReadOnlyList<DatasetFile>> GetFilesAsync(string name, int version, CancellationToken cancellationToken = default);

    /// <summary>Writes a version's files below <paramref name="destinationDirectory"/>, each verified against its digest; paths cannot leave it.</summary>
    Task MaterializeAsync(string name, int version, string destinationDirectory, CancellationToken cancellationToken = default);

    /// <summary>Lists the files added, removed and modified from one version to another.</summary>
    Task<DatasetDiff> DiffAsync(string name, int fromVersion, int toVersion, CancellationToken cancellationToken = default);
}
