using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Audit;
using MlOps.Sdk.Versioning.Datasets;
using MlOps.Sdk.Versioning.Storage;

namespace MlOps.Sdk.Testing.Versioning;

/// <summary>A dataset store in memory, with the same behaviour as the durable providers.</summary>
public sealed class InMemoryDatasetStore(InMemoryAuditLog log) : DatasetStore
{
    private readonly Dictionary<string, List<(DatasetVersion Version, List<StoredFile> Files)>> _datasets = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override Task<DatasetVersion> AddVersionAsync(string name, ContentDigest digest, IReadOnlyList<DatasetFile> files, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(audit);
        lock (log.Sync)
        {
            if (!_datasets.TryGetValue(name, out var versions))
            {
                _datasets[name] = versions = [];
            }

            if (versions.Count > 0 && versions[^1].Version.Digest == digest)
            {
                return Task.FromResult(versions[^1].Version);
            }

            var version = new DatasetVersion(name, versions.Count + 1, digest, files.Count, files.Sum(f => f.Length), audit.Actor, DateTimeOffset.FromUnixTimeMilliseconds(audit.Time.ToUnixTimeMilliseconds()));
            versions.Add((version, files.Select(f => new StoredFile(f.Path.Value, f.Length, f.Digest)).ToList()));
            log.Append(audit with { Subject = $"{name}/{version.Version}" });
            return Task.FromResult(version);
        }
    }

    /// <inheritdoc />
    public override Task<DatasetVersion?> GetVersionAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            return Task.FromResult(_datasets.TryGetValue(name, out var v) && version >= 1 && version <= v.Count ? v[version - 1].Version : null);
        }
    }

    /// <inheritdoc />
    public override Task<DatasetVersion?> GetLatestVersionAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            return Task.FromResult(_datasets.TryGetValue(name, out var v) && v.Count > 0 ? v[^1].Version : null);
        }
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(string name, int afterVersion, int limit, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            IReadOnlyList<DatasetVersion> list = _datasets.TryGetValue(name, out var v) ? v.Select(x => x.Version).Where(x => x.Version > afterVersion).Take(limit).ToList() : [];
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<DatasetVersion>> FindVersionsByDigestAsync(ContentDigest digest, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            IReadOnlyList<DatasetVersion> list = _datasets.OrderBy(d => d.Key, StringComparer.Ordinal).SelectMany(d => d.Value).Select(x => x.Version).Where(v => v.Digest == digest).ToList();
            return Task.FromResult(list);
        }
    }

    /// <summary>Rewrites a stored file path without checking it, as tampering with a database would.</summary>
    public void TamperPath(string name, int version, string oldPath, string newPath)
    {
        lock (log.Sync)
        {
            var files = _datasets[name][version - 1].Files;
            var index = files.FindIndex(f => f.Path == oldPath);
            files[index] = files[index] with { Path = newPath };
        }
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<DatasetFile>> GetFilesAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        lock (log.Sync)
        {
            if (!_datasets.TryGetValue(name, out var v) || version < 1 || version > v.Count)
            {
                throw new MlOpsNotFoundException($"Dataset '{name}' has no version {version}.");
            }

            // Parsed on the way out, as the durable stores do: a stored path that could escape is refused here.
            IReadOnlyList<DatasetFile> files = DatasetManifest.Canonical(v[version - 1].Files.Select(f => new DatasetFile(RelativePath.Parse(f.Path), f.Length, f.Digest)));
            return Task.FromResult(files);
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ContentDigest> ListReferencedArtifactsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<ContentDigest> digests;
        lock (log.Sync)
        {
            digests = [.. _datasets.Values.SelectMany(v => v).SelectMany(v => v.Files).Select(f => f.Digest)];
        }

        foreach (var digest in digests)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return digest;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private sealed record StoredFile(string Path, long Length, ContentDigest Digest);
}
