using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Tracking.Storage;
using MlOps.Sdk.Versioning.Storage;

namespace MlOps.Sdk.Versioning.Collection;

/// <summary>
/// Deletes artifacts that no run, model version or dataset version references, safely while other processes write.
/// </summary>
/// <remarks>
/// <para>A collection notes the time, then reads every reference, then deletes the unreferenced content stored before
/// that time less a grace period. Content written after the collection started is never deleted: its stored time is
/// later. The grace period covers a writer that stored content and has not yet recorded its reference (a registration
/// between its upload and its commit, on a clock a little behind): keep it longer than any such gap. Storing content
/// that is already there counts as storing it again, so old content about to be referenced anew is safe too.</para>
/// <para>Every process sharing the stores may keep writing; run one collection at a time.</para>
/// </remarks>
public sealed class ArtifactGarbageCollector
{
    /// <summary>The grace period when none is given: one hour.</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromHours(1);

    private readonly ArtifactStore _artifacts;
    private readonly TrackingStore _tracking;
    private readonly ModelRegistryStore _registry;
    private readonly DatasetStore _datasets;
    private readonly TimeProvider _time;

    /// <summary>Creates a collector over the stores the host is configured with.</summary>
    public ArtifactGarbageCollector(ArtifactStore artifacts, TrackingStore tracking, ModelRegistryStore registry, DatasetStore datasets, TimeProvider time)
    {
        _artifacts = artifacts ?? throw new ArgumentNullException(nameof(artifacts));
        _tracking = tracking ?? throw new ArgumentNullException(nameof(tracking));
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _datasets = datasets ?? throw new ArgumentNullException(nameof(datasets));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>Deletes unreferenced content stored before now less <paramref name="gracePeriod"/> (or, with <paramref name="dryRun"/>, reports what it would delete).</summary>
    public async Task<GarbageCollectionReport> CollectAsync(TimeSpan? gracePeriod = null, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        var grace = gracePeriod ?? DefaultGracePeriod;
        ArgumentOutOfRangeException.ThrowIfLessThan(grace, TimeSpan.Zero, nameof(gracePeriod));
        var storedBefore = _time.GetUtcNow() - grace;

        // References are read after the time is taken: a reference recorded before this point is seen, and content
        // referenced later was stored (or stored again) later than the bound.
        var referenced = new HashSet<ContentDigest>();
        foreach (var source in new[] { _tracking.ListReferencedArtifactsAsync(cancellationToken), _registry.ListReferencedArtifactsAsync(cancellationToken), _datasets.ListReferencedArtifactsAsync(cancellationToken) })
        {
            await foreach (var digest in source.ConfigureAwait(false))
            {
                referenced.Add(digest);
            }
        }

        var candidates = new List<StoredArtifact>();
        long scanned = 0;
        await foreach (var artifact in _artifacts.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            scanned++;
            if (artifact.StoredAt < storedBefore && !referenced.Contains(artifact.Digest))
            {
                candidates.Add(artifact);
            }
        }

        long deleted = 0, bytes = 0;
        foreach (var artifact in candidates)
        {
            if (dryRun || await _artifacts.DeleteAsync(artifact.Digest, cancellationToken).ConfigureAwait(false))
            {
                deleted++;
                bytes += artifact.Length;
            }
        }

        return new GarbageCollectionReport(scanned, referenced.Count, deleted, bytes, storedBefore, dryRun);
    }
}

/// <summary>What a garbage collection found and deleted.</summary>
/// <param name="Scanned">Artifacts in the store.</param>
/// <param name="Referenced">Distinct digests that runs, model versions and datasets reference.</param>
/// <param name="Deleted">Artifacts deleted (or, in a dry run, that would be).</param>
/// <param name="BytesFreed">Their total size.</param>
/// <param name="StoredBefore">Only content stored before this time was eligible.</param>
/// <param name="DryRun">Whether nothing was deleted.</param>
public sealed record GarbageCollectionReport(long Scanned, long Referenced, long Deleted, long BytesFreed, DateTimeOffset StoredBefore, bool DryRun);
