using MlOps.Sdk.Versioning.Audit;

namespace MlOps.Sdk.Versioning.Storage;

/// <summary>The metadata store of dataset versions. A version and its manifest are written in one transaction, with its audit entry.</summary>
public abstract class DatasetStore
{
    /// <summary>
    /// Adds the next version of a dataset with its files, or returns the latest version unchanged when it has the same digest.
    /// </summary>
    public abstract Task<DatasetVersion> AddVersionAsync(string name, ContentDigest digest, IReadOnlyList<DatasetFile> files, AuditDraft audit, CancellationToken cancellationToken = default);

    /// <summary>Gets a version, or null.</summary>
    public abstract Task<DatasetVersion?> GetVersionAsync(string name, int version, CancellationToken cancellationToken = default);

    /// <summary>Gets the latest version, or null.</summary>
    public abstract Task<DatasetVersion?> GetLatestVersionAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists at most <paramref name="limit"/> versions of a dataset numbered above <paramref name="afterVersion"/>, by version.</summary>
    public abstract Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(string name, int afterVersion, int limit, CancellationToken cancellationToken = default);

    /// <summary>Finds every dataset version with this digest.</summary>
    public abstract Task<IReadOnlyList<DatasetVersion>> FindVersionsByDigestAsync(ContentDigest digest, CancellationToken cancellationToken = default);

    /// <summary>Every artifact digest a dataset version references (its files), each at least once, for garbage collection.</summary>
    public abstract IAsyncEnumerable<ContentDigest> ListReferencedArtifactsAsync(CancellationToken cancellationToken = default);

    /// <summary>The files of a version, in canonical order.</summary>
    /// <exception cref="MlOpsNotFoundException">No such version.</exception>
    public abstract Task<IReadOnlyList<DatasetFile>> GetFilesAsync(string name, int version, CancellationToken cancellationToken = default);
}
