namespace MlOps.Sdk.Artifacts;

/// <summary>
/// Immutable blobs named by their SHA-256 digest. Putting the same content twice stores it once; every read
/// verifies the content against its digest.
/// </summary>
/// <remarks>Implementations must be safe to call from many threads and, for shared stores, many processes.</remarks>
public abstract class ArtifactStore
{
    /// <summary>
    /// Reads <paramref name="content"/> to its end and stores it. Returns once the content is durable.
    /// Idempotent: content already present is not stored again.
    /// </summary>
    public abstract ValueTask<StoredArtifact> PutAsync(Stream content, CancellationToken cancellationToken = default);

    /// <summary>Stores the content of a file; see <see cref="ArtifactFileMode"/> for what <paramref name="mode"/> allows. Returns once durable.</summary>
    public virtual async ValueTask<StoredArtifact> PutFileAsync(string path, ArtifactFileMode mode = ArtifactFileMode.Copy, CancellationToken cancellationToken = default)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            return await PutAsync(file, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts a batch of puts made durable together; see <see cref="ArtifactWriteBatch"/>.</summary>
    public virtual ArtifactWriteBatch StartBatch() => new(this);

    /// <summary>
    /// Opens stored content for reading. The stream verifies the digest as it is read and throws
    /// <see cref="ArtifactIntegrityException"/> when the end is reached with a mismatch; read to the end to get that check.
    /// </summary>
    /// <exception cref="MlOpsNotFoundException">No content has that digest.</exception>
    public abstract ValueTask<Stream> OpenReadAsync(ContentDigest digest, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes stored content to <paramref name="path"/>, verified: it is written to <c>path.partial</c> and renamed into
    /// place only once its digest has matched, so a corrupted blob never appears under the final name.
    /// </summary>
    /// <exception cref="ArtifactIntegrityException">The stored content does not match its digest; nothing is left at <paramref name="path"/>.</exception>
    public async Task CopyToFileAsync(ContentDigest digest, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".partial";
        try
        {
            var source = await OpenReadAsync(digest, cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
                await using (output.ConfigureAwait(false))
                {
                    await source.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                }
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Whether content with <paramref name="digest"/> is stored.</summary>
    public abstract ValueTask<bool> ExistsAsync(ContentDigest digest, CancellationToken cancellationToken = default);

    /// <summary>Lists the stored content.</summary>
    public abstract IAsyncEnumerable<StoredArtifact> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes content; returns false if it was not there.</summary>
    public abstract ValueTask<bool> DeleteAsync(ContentDigest digest, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes content for which <paramref name="isReferenced"/> is false and that was stored before
    /// <paramref name="storedBefore"/>. The time bound protects content put by a writer that has not yet
    /// recorded its reference.
    /// </summary>
    /// <returns>The number of blobs deleted.</returns>
    public virtual async ValueTask<int> DeleteUnreferencedAsync(
        Func<ContentDigest, bool> isReferenced, DateTimeOffset storedBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(isReferenced);
        var candidates = new List<ContentDigest>();
        await foreach (var artifact in ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (artifact.StoredAt < storedBefore && !isReferenced(artifact.Digest))
            {
                candidates.Add(artifact.Digest);
            }
        }

        var deleted = 0;
        foreach (var digest in candidates)
        {
            if (await DeleteAsync(digest, cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return deleted;
    }
}
