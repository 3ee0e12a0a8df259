using System.Buffers;
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
    private const int BufferSize = 1 << 20;
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

    /// <summary>Creates the temporary directory; a root that cannot be written fails with its name, not a bare I/O error.</summary>
    private void CreateIncoming()
    {
        try
        {
            Directory.CreateDirectory(_incoming);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MlOpsException(WritableDirectory.Describe(_root, "artifacts", $"{e.GetType().Name}: {e.Message}"), e);
        }
    }

    public override ValueTask<StoredArtifact> PutAsync(Stream content, CancellationToken cancellationToken = default) =>
        PutCoreAsync(content, deferred: false, cancellationToken);

    public override ValueTask<StoredArtifact> PutFileAsync(string path, ArtifactFileMode mode = ArtifactFileMode.Copy, CancellationToken cancellationToken = default) =>
        PutFileCoreAsync(path, mode, deferred: false, cancellationToken);

    public override ArtifactWriteBatch StartBatch() => new LocalWriteBatch(this);

    /// <summary>Stores a stream; with <paramref name="deferred"/>, flushing to disk is left to the batch's commit.</summary>
    private async ValueTask<StoredArtifact> PutCoreAsync(Stream content, bool deferred, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        CreateIncoming();
        SweepAbandonedTempFilesOnce();

        var temp = Path.Combine(_incoming, Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            ContentDigest digest;
            long length;
            var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                try
                {
                    int read;
                    while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                file.Flush(flushToDisk: !deferred);
                length = file.Length;
                digest = ContentDigest.FromHash(hash.GetHashAndReset());
            }

            var target = ObjectPath(digest);
            var now = _time.GetUtcNow();
            if (IsWhole(target, length))
            {
                // Storing again counts as new for garbage collection: the caller is about to reference it.
                File.Delete(temp);
                File.SetLastWriteTimeUtc(target, now.UtcDateTime);
                return new StoredArtifact(digest, length, now);
            }

            var fanOutIsNew = PrepareFanOut(target);
            File.SetLastWriteTimeUtc(temp, now.UtcDateTime);
            File.Move(temp, target, overwrite: true);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            if (!deferred)
            {
                FsyncFanOut(target, fanOutIsNew);
            }

            return new StoredArtifact(digest, length, now);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private async ValueTask<StoredArtifact> PutFileCoreAsync(string path, ArtifactFileMode mode, bool deferred, CancellationToken cancellationToken)
    {
        if (mode != ArtifactFileMode.HardLink || OperatingSystem.IsWindows())
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (file.ConfigureAwait(false))
            {
                return await PutCoreAsync(file, deferred, cancellationToken).ConfigureAwait(false);
            }
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
            return await PutFileCoreAsync(path, ArtifactFileMode.Copy, deferred, cancellationToken).ConfigureAwait(false);
        }

        ContentDigest digest;
        long length;
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan))
        {
            (digest, length) = await HashAsync(handle, cancellationToken).ConfigureAwait(false);
            if (!deferred)
            {
                DurableFile.Fsync(handle);
            }
        }

        var target = ObjectPath(digest);
        var now = _time.GetUtcNow();
        if (IsWhole(target, length))
        {
            return new StoredArtifact(digest, length, now);
        }

        var fanOutIsNew = PrepareFanOut(target);
        TryDelete(target);
        var error = DurableFile.HardLink(path, target);
        if (error is not (0 or EExist))
        {
            return await PutFileCoreAsync(path, ArtifactFileMode.Copy, deferred, cancellationToken).ConfigureAwait(false);
        }

        if (!deferred)
        {
            FsyncFanOut(target, fanOutIsNew);
        }

        return new StoredArtifact(digest, length, now);
    }

    /// <summary>An object of the wrong length was cut short by a crash before its batch committed: it is replaced.</summary>
    private static bool IsWhole(string target, long length)
    {
        var existing = new FileInfo(target);
        return existing.Exists && existing.Length == length;
    }

    private static bool PrepareFanOut(string target)
    {
        var fanOut = Path.GetDirectoryName(target)!;
        var isNew = !Directory.Exists(fanOut);
        Directory.CreateDirectory(fanOut);
        return isNew;
    }

    private void FsyncFanOut(string target, bool fanOutIsNew)
    {
        DurableFile.FsyncDirectory(Path.GetDirectoryName(target)!);
        if (fanOutIsNew)
        {
            DurableFile.FsyncDirectory(_root);
        }
    }

    /// <summary>On Linux, the puts of a batch skip their flushes and the commit flushes the file system once.</summary>
    private sealed class LocalWriteBatch(LocalArtifactStore store) : ArtifactWriteBatch(store)
    {
        private readonly bool _deferred = OperatingSystem.IsLinux();
        private int _puts;

        public override ValueTask<StoredArtifact> PutFileAsync(string path, ArtifactFileMode mode, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _puts);
            return store.PutFileCoreAsync(path, mode, _deferred, cancellationToken);
        }

        public override ValueTask CommitAsync(CancellationToken cancellationToken = default)
        {
            if (_deferred && Interlocked.Exchange(ref _puts, 0) > 0)
            {
                DurableFile.SyncFileSystem(store._root);
            }

            return ValueTask.CompletedTask;
        }
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
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long offset = 0;
            int read;
            while ((read = await RandomAccess.ReadAsync(handle, buffer.AsMemory(0, BufferSize), offset, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                offset += read;
            }

            return (ContentDigest.FromHash(hash.GetHashAndReset()), offset);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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
