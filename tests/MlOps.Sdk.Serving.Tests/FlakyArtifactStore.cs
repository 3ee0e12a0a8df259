using MlOps.Sdk.Artifacts;
using Xunit;

namespace MlOps.Sdk.Serving.Tests;

/// <summary>A store whose first reads fail as a remote store's dropped connection does.</summary>
public sealed class FlakyArtifactStore(ArtifactStore inner, int failures) : ArtifactStore
{
    private readonly SemaphoreSlim _read = new(0);
    private bool _armed;

    public int Reads { get; private set; }

    public void Arm() => _armed = true;

    public async Task WaitForReadsAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(await _read.WaitAsync(TimeSpan.FromSeconds(30)), "The host never read the content.");
        }
    }

    public override ValueTask<Stream> OpenReadAsync(ContentDigest digest, CancellationToken cancellationToken = default)
    {
        if (_armed)
        {
            Reads++;
            _read.Release();
            if (Reads <= failures)
            {
                throw new IOException("Connection reset by peer.");
            }
        }

        return inner.OpenReadAsync(digest, cancellationToken);
    }

    public override ValueTask<StoredArtifact> PutAsync(Stream content, CancellationToken cancellationToken = default) => inner.PutAsync(content, cancellationToken);

    public override ValueTask<bool> ExistsAsync(ContentDigest digest, CancellationToken cancellationToken = default) => inner.ExistsAsync(digest, cancellationToken);

    public override IAsyncEnumerable<StoredArtifact> ListAsync(CancellationToken cancellationToken = default) => inner.ListAsync(cancellationToken);

    public override ValueTask<bool> DeleteAsync(ContentDigest digest, CancellationToken cancellationToken = default) => inner.DeleteAsync(digest, cancellationToken);
}
