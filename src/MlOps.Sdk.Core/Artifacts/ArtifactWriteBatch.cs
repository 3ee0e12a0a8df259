namespace MlOps.Sdk.Artifacts;

/// <summary>
/// Puts whose durability is settled once for all of them by <see cref="CommitAsync"/>: for many files written
/// together (a dataset snapshot), one flush instead of one per file. Nothing may reference the content before the
/// commit returns.
/// </summary>
public class ArtifactWriteBatch : IAsyncDisposable
{
    private readonly ArtifactStore _store;

    /// <summary>Creates a batch whose puts are each durable on their own (for stores that cannot defer).</summary>
    public ArtifactWriteBatch(ArtifactStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>Stores a file; durable only once <see cref="CommitAsync"/> returns.</summary>
    public virtual ValueTask<StoredArtifact> PutFileAsync(string path, ArtifactFileMode mode, CancellationToken cancellationToken = default) =>
        _store.PutFileAsync(path, mode, cancellationToken);

    /// <summary>Makes every put of the batch durable.</summary>
    public virtual ValueTask CommitAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
