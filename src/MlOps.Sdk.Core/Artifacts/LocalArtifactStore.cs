using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace MlOps.Sdk.Artifacts;

/// <summary>
/// Content-addressed blobs in a local directory: <c>ab/cdef…</c> by digest. A put writes a temporary file in
/// <c>.incoming/</c> on the same volume, flushes it, renames it into place and flushes the directory, so a
/// crash at any point leaves either no object or a whole one.
/// </summary>
internal sealed class LocalArtifactStore : ArtifactStore
{
    private const string IncomingDirectoryName = ".incoming";
    private const int EExist = 17;
    private static readonly TimeSpan AbandonedTempAge = TimeSpan.FromHours(1);

    private readonly string _root;
    private readonly string _incoming;
    private readonly TimeProvider _time;
    private int _incomingSwept;

    public LocalArtifactStore(string root, TimeProvider time)
    {
        _root = Path.GetFullPath(root);
        _incoming = Path.Combine(_root, IncomingDirectoryName);
        _time = time;
    }

    public override async ValueTask<StoredArtifact> PutAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        Directory.CreateDirectory(_incoming);
        SweepAbandonedTempFilesOnce();

        var temp = Path.Combine(_incoming, Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            ContentDigest digest;
            long length;
            var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }

                file.Flush(flushToDisk: true);
                length = file.Length;
                digest = ContentDigest.FromHash(hash.GetHashAndReset());
            }

            var target = ObjectPath(digest);
            var now = _time.GetUtcNow();
            if (File.Exists(target))
            {
                // Storing again counts as new for garbage collection: the caller is about to reference it.
                File.Delete(temp);
                File.SetLastWriteTimeUtc(target, now.UtcDateTime);
                return new StoredArtifact(digest, length, now);
            }

            var fanOut = Path.GetDirectoryName(target)!;
            var fanOutIsNew = !Directory.Exists(fanOut);
            Directory.CreateDirectory(fanOut);
            File.SetLastWriteTimeUtc(temp, now.UtcDateTime);
            File.Move(temp, target, overwrite: true);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            DurableFile.FsyncDirectory(fanOut);
            if (fanOutIsNew)
            {
                DurableFile.FsyncDirectory(_root);
            }

            return new StoredArtifact(digest, length, now);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public override async ValueTask<StoredArtifact> PutFileAsync(string path, ArtifactFileMode mode = ArtifactFileMode.Copy, CancellationToken cancellationToken = default)
    {
        if (mode != ArtifactFileMode.HardLink || OperatingSystem.IsWindows())
        {
            return await base.PutFileAsync(path, mode, cancellationToken).ConfigureAwait(false);
        }

        // Read-only first, so that the content hashed is the content linked (a writer holding the file open can still
        // change it; every read of the store verifies the digest, so that is detected, never served).
        try
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        catch (UnauthorizedAccessException)
        {
            // Not the file's owner: it cannot be protected, so it is copied.
            return await base.PutFileAsync(path, ArtifactFileMode.Copy, cancellationToken).ConfigureAwait(false);
        }

        ContentDigest digest;
        long length;
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan))
        {
            (digest, length) = await HashAsync(handle, cancellationToken).ConfigureAwait(false);
            DurableFile.Fsync(handle);
        }

        var target = ObjectPath(digest);
        var now = _time.GetUtcNow();
        if (File.Exists(target))
        {
            return new StoredArtifact(digest, length, now);
        }

        var fanOut = Path.GetDirectoryName(target)!;
        var fanOutIsNew = !Directory.Exists(fanOut);
        Directory.CreateDirectory(fanOut);
        var error = DurableFile.HardLink(path, target);
        if (error is not (0 or EExist))
        {
            return await base.PutFileAsync(path, ArtifactFileMode.Copy, cancellationToken).ConfigureAwait(false);
        }

        DurableFile.FsyncDirectory(fanOut);
        if (fanOutIsNew)
        {
            DurableFile.FsyncDirectory(_root);
        }

        return new StoredArtifact(digest, length, now);
    }

    public override ValueTask<Stream> OpenReadAsync(ContentDigest digest, CancellationToken cancellationToken = default)
    {
        var path = ObjectPath(digest);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new MlOpsNotFoundException($"No artifact {digest} is stored under '{_root}'.");
        }

        return ValueTask.FromResult<Stream>(new DigestVerifyingStream(file, digest));
    }

    public override ValueTask<bool> ExistsAsync(ContentDigest digest, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(File.Exists(ObjectPath(digest)));

    public override async IAsyncEnumerable<StoredArtifact> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(_root))
        {
            yield break;
        }

        foreach (var fanOut in Directory.EnumerateDirectories(_root))
        {
            var prefix = Path.GetFileName(fanOut);
            if (prefix.Length != 2)
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(fanOut))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (ContentDigest.TryParse("sha256:" + prefix + Path.GetFileName(file), out var digest))
                {
                    var info = new FileInfo(file);
                    yield return new StoredArtifact(digest, info.Length, info.LastWriteTimeUtc);
                }
            }

            await Task.Yield();
        }
    }

    public override ValueTask<bool> DeleteAsync(ContentDigest digest, CancellationToken cancellationToken = default)
    {
        var path = ObjectPath(digest);
        if (!File.Exists(path))
        {
            return ValueTask.FromResult(false);
        }

        File.Delete(path);
        return ValueTask.FromResult(true);
    }

    private static async Task<(ContentDigest Digest, long Length)> HashAsync(Microsoft.Win32.SafeHandles.SafeFileHandle handle, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long offset = 0;
        int read;
        while ((read = await RandomAccess.ReadAsync(handle, buffer, offset, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            offset += read;
        }

        return (ContentDigest.FromHash(hash.GetHashAndReset()), offset);
    }

    private string ObjectPath(ContentDigest digest)
    {
        var hex = digest.Hex;
        return Path.Combine(_root, hex[..2], hex[2..]);
    }

    private void SweepAbandonedTempFilesOnce()
    {
        if (Interlocked.Exchange(ref _incomingSwept, 1) == 1)
        {
            return;
        }

        var cutoff = _time.GetUtcNow().UtcDateTime - AbandonedTempAge;
        foreach (var file in Directory.EnumerateFiles(_incoming, "*.tmp"))
        {
            if (File.GetLastWriteTimeUtc(file) < cutoff)
            {
                TryDelete(file);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover temp file is invisible to readers and swept later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
