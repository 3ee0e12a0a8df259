using System.Collections.Concurrent;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning.Audit;
using MlOps.Sdk.Versioning.Storage;

namespace MlOps.Sdk.Versioning.Datasets;

internal sealed class DatasetRegistry(
    DatasetStore store,
    ArtifactStore artifacts,
    IActorIdentity identity,
    DatasetOptions options,
    string stateCachePath,
    VersioningTelemetry telemetry,
    TimeProvider time) : IDatasetRegistry
{
    private readonly SemaphoreSlim _cacheLock = new(1, 1);

    public Task<DatasetVersion> SnapshotAsync(string name, string path, CancellationToken cancellationToken = default) =>
        SnapshotWithProgressAsync(name, path, null, cancellationToken);

    public Task<DatasetVersion> SnapshotWithProgressAsync(string name, string path, IProgress<DatasetSnapshotProgress>? progress, CancellationToken cancellationToken = default) =>
        VersioningTelemetry.TraceAsync("mlops.dataset.snapshot", name, () => SnapshotCoreAsync(name, path, progress, cancellationToken));

    private async Task<DatasetVersion> SnapshotCoreAsync(string name, string path, IProgress<DatasetSnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        TrackingLimits.ValidateKey(name, "dataset name");
        var (root, entries) = Enumerate(path);
        await _cacheLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var cache = SnapshotStateCache.Load(stateCachePath);
            var files = new ConcurrentBag<DatasetFile>();
            var totalBytes = entries.Sum(e => e.File.Length);
            var (filesDone, bytesDone) = (0, 0L);
            var batch = artifacts.StartBatch();
            await using (batch.ConfigureAwait(false))
            {
                await Parallel.ForEachAsync(
                    entries,
                    new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism), CancellationToken = cancellationToken },
                    async (entry, ct) =>
                    {
                        var file = await StoreFileAsync(batch, entry.File, entry.Path, cache, ct).ConfigureAwait(false);
                        files.Add(file);
                        progress?.Report(new DatasetSnapshotProgress(Interlocked.Increment(ref filesDone), entries.Count, Interlocked.Add(ref bytesDone, file.Length), totalBytes));
                    }).ConfigureAwait(false);

                // Every object must be on disk before the version that references it is committed.
                await batch.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            var manifest = DatasetManifest.Canonical(files);
            var digest = DatasetManifest.Digest(manifest);
            var draft = new AuditDraft(time.GetUtcNow(), identity.CurrentActor, "dataset.snapshot", name, null, $"{digest} ({manifest.Count} files from {root})", null);
            var version = await store.AddVersionAsync(name, digest, manifest, draft, cancellationToken).ConfigureAwait(false);
            cache.Save();
            telemetry.DatasetVersions.Add(1);
            return version;
        }
        finally
        {
            _cacheLock.Release();
        }
    }

    public Task<DatasetVersion?> GetVersionAsync(string name, int version, CancellationToken cancellationToken = default) => store.GetVersionAsync(name, version, cancellationToken);

    public Task<DatasetVersion?> GetLatestVersionAsync(string name, CancellationToken cancellationToken = default) => store.GetLatestVersionAsync(name, cancellationToken);

    public async Task<DatasetVersionPage> ListVersionsAsync(string name, int maxResults = 100, string? pageToken = null, CancellationToken cancellationToken = default)
    {
        var (versions, next) = await VersionPageToken.ReadAsync(name, maxResults, pageToken, (after, limit) => store.ListVersionsAsync(name, after, limit, cancellationToken), v => v.Version).ConfigureAwait(false);
        return new DatasetVersionPage(versions, next);
    }

    public Task<IReadOnlyList<DatasetFile>> GetFilesAsync(string name, int version, CancellationToken cancellationToken = default) => store.GetFilesAsync(name, version, cancellationToken);

    public async Task MaterializeAsync(string name, int version, string destinationDirectory, CancellationToken cancellationToken = default)
    {
        var destination = new ConfinedDirectory(destinationDirectory);
        var files = await store.GetFilesAsync(name, version, cancellationToken).ConfigureAwait(false);

        // Every path is resolved before anything is written, so a bad entry leaves the destination untouched.
        var targets = files.Select(f => (File: f, Target: destination.Resolve(f.Path))).ToList();
        foreach (var (file, target) in targets)
        {
            await artifacts.CopyToFileAsync(file.Digest, target, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<DatasetDiff> DiffAsync(string name, int fromVersion, int toVersion, CancellationToken cancellationToken = default)
    {
        var before = (await store.GetFilesAsync(name, fromVersion, cancellationToken).ConfigureAwait(false)).ToDictionary(f => f.Path.Value, StringComparer.Ordinal);
        var after = (await store.GetFilesAsync(name, toVersion, cancellationToken).ConfigureAwait(false)).ToDictionary(f => f.Path.Value, StringComparer.Ordinal);
        var added = DatasetManifest.Canonical(after.Values.Where(f => !before.ContainsKey(f.Path.Value)));
        var removed = DatasetManifest.Canonical(before.Values.Where(f => !after.ContainsKey(f.Path.Value)));
        var modified = DatasetManifest.Canonical(after.Values.Where(f => before.TryGetValue(f.Path.Value, out var b) && b.Digest != f.Digest))
            .Select(f => (before[f.Path.Value], f)).ToList();
        return new DatasetDiff(added, removed, modified);
    }

    private async Task<DatasetFile> StoreFileAsync(ArtifactWriteBatch batch, FileInfo file, RelativePath path, SnapshotStateCache cache, CancellationToken cancellationToken)
    {
        var state = new FileState(file.Length, file.LastWriteTimeUtc.Ticks, FileIdentity.Stat(file.FullName).Inode, string.Empty);
        ContentDigest known;
        bool cached;
        lock (cache)
        {
            cached = cache.TryGet(file.FullName, state, out known);
        }

        if (cached && await artifacts.ExistsAsync(known, cancellationToken).ConfigureAwait(false))
        {
            return new DatasetFile(path, state.Length, known);
        }

        var stored = await batch.PutFileAsync(file.FullName, options.StorageMode, cancellationToken).ConfigureAwait(false);

        telemetry.BytesHashed.Add(stored.Length);
        lock (cache)
        {
            cache.Set(file.FullName, state with { Digest = stored.Digest.ToString(), Length = stored.Length });
        }

        return new DatasetFile(path, stored.Length, stored.Digest);
    }

    /// <summary>Lists the regular files to snapshot, refusing anything that could lead outside the root.</summary>
    private static (string Root, List<(FileInfo File, RelativePath Path)> Files) Enumerate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var single = new FileInfo(full);
        if (single.Exists)
        {
            RefuseLink(single, single.Name);
            if (!FileIdentity.Stat(full).IsRegular)
            {
                throw new UnsafePathException(single.Name, "it is not a regular file");
            }

            return (full, [(single, RelativePath.Parse(single.Name))]);
        }

        var root = new DirectoryInfo(full);
        if (!root.Exists)
        {
            throw new MlOpsNotFoundException($"'{path}' is neither a file nor a directory.");
        }

        RefuseLink(root, ".");
        var files = new List<(FileInfo, RelativePath)>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (var entry in root.EnumerateFileSystemInfos("*", options))
        {
            var relative = Path.GetRelativePath(full, entry.FullName).Replace(Path.DirectorySeparatorChar, '/');
            RefuseLink(entry, relative);
            if (entry is FileInfo file)
            {
                if (!FileIdentity.Stat(file.FullName).IsRegular)
                {
                    throw new UnsafePathException(relative, "it is not a regular file");
                }

                files.Add((file, RelativePath.Parse(relative)));
            }
        }

        return (full, files);
    }

    private static void RefuseLink(FileSystemInfo entry, string relative)
    {
        if (entry.LinkTarget is not null)
        {
            throw new UnsafePathException(relative, $"it is a symbolic link (to '{entry.LinkTarget}'); datasets hold regular files only");
        }
    }
}
