using System.Buffers;
using System.Security.Cryptography;
using MlOps.Sdk.Artifacts;

namespace MlOps.Sdk.Storage;

/// <summary>
/// What the object stores do before an upload: the content's digest names the object, so it is computed first, and the
/// upload then reads the content again from its start — a seekable stream rewound, a file opened again, or a stream
/// that can be read only once spooled to a temporary file while it is hashed.
/// </summary>
internal static class HashedUpload
{
    /// <summary>Uploads content as <c>(digest, length, open a fresh read, whether the upload owns what it opens)</c>.</summary>
    public delegate ValueTask<StoredArtifact> Upload(ContentDigest digest, long length, Func<Stream> open, bool ownsStream, CancellationToken cancellationToken);

    private const int BufferSize = 1 << 20;

    public static async ValueTask<StoredArtifact> PutAsync(Stream content, Upload upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.CanSeek)
        {
            var start = content.Position;
            var (digest, length) = await HashAsync(content, null, cancellationToken).ConfigureAwait(false);
            return await upload(digest, length, () => { content.Position = start; return content; }, false, cancellationToken).ConfigureAwait(false);
        }

        var spool = Path.Combine(Path.GetTempPath(), "mlops-upload-" + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            var file = new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                var (digest, length) = await HashAsync(content, file, cancellationToken).ConfigureAwait(false);
                return await upload(digest, length, () => { file.Position = 0; return file; }, false, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            File.Delete(spool);
        }
    }

    /// <summary>Each attempt opens the file again; a file changed since it was hashed is refused by the next read's digest check.</summary>
    public static async ValueTask<StoredArtifact> PutFileAsync(string path, Upload upload, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ContentDigest digest;
        long length;
        var file = Open(path);
        await using (file.ConfigureAwait(false))
        {
            (digest, length) = await HashAsync(file, null, cancellationToken).ConfigureAwait(false);
        }

        return await upload(digest, length, () => Open(path), true, cancellationToken).ConfigureAwait(false);
    }

    private static FileStream Open(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private static async Task<(ContentDigest Digest, long Length)> HashAsync(Stream content, Stream? copyTo, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long length = 0;
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
                if (copyTo is not null)
                {
                    await copyTo.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (ContentDigest.FromHash(hash.GetHashAndReset()), length);
    }
}
