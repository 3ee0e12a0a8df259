using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MlOps.Sdk.Artifacts;

namespace MlOps.Sdk.Testing.Artifacts;

/// <summary>An artifact store in memory: content by digest, verified on read like any other store.</summary>
public sealed class InMemoryArtifactStore(TimeProvider time) : ArtifactStore
{
    private readonly ConcurrentDictionary<ContentDigest, (byte[] Content, DateTimeOffset StoredAt)> _blobs = new();

    /// <summary>Replaces stored bytes without updating the digest, to test integrity checks.</summary>
    public void Corrupt(ContentDigest digest, Func<byte[], byte[]> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        _blobs.AddOrUpdate(digest, _ => throw new MlOpsNotFoundException($"No artifact {digest}."), (_, old) => (change(old.Content), old.StoredAt));
    }

    /// <inheritdoc />
    public override async ValueTask<StoredArtifact> PutAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        var digest = ContentDigest.Compute(bytes);
        var now = time.GetUtcNow();
        _blobs.AddOrUpdate(digest, (bytes, now), (_, old) => (old.Content, now));
        return new StoredArtifact(digest, bytes.LongLength, now);
    }

    /// <inheritdoc />
    public override ValueTask<Stream> OpenReadAsync(ContentDigest digest, CancellationToken cancellationToken = default) =>
        _blobs.TryGetValue(digest, out var blob)
            ? ValueTask.FromResult<Stream>(new DigestVerifyingStream(new MemoryStream(blob.Content, writable: false), digest))
            : throw new MlOpsNotFoundException($"No artifact {digest} is stored in memory.");

    /// <inheritdoc />
    public override ValueTask<bool> ExistsAsync(ContentDigest digest, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_blobs.ContainsKey(digest));

    /// <inheritdoc />
    public override async IAsyncEnumerable<StoredArtifact> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var (digest, blob) in _blobs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new StoredArtifact(digest, blob.Content.LongLength, blob.StoredAt);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override ValueTask<bool> DeleteAsync(ContentDigest digest, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_blobs.TryRemove(digest, out _));
}
