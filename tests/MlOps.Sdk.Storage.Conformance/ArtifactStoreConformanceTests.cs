using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Artifacts;
using Xunit;

namespace MlOps.Sdk.Storage.Conformance;

/// <summary>The behaviour every <see cref="ArtifactStore"/> must have.</summary>
public abstract class ArtifactStoreConformanceTests : ProviderTestBase
{
    /// <summary>The store under test.</summary>
    protected ArtifactStore Store => Services.GetRequiredService<ArtifactStore>();

    /// <summary>Changes one byte of stored content behind the store's back, as disk corruption or tampering would.</summary>
    protected abstract Task CorruptAsync(ContentDigest digest);

    [Fact]
    public virtual async Task PutAsync_KnownContent_ReturnsItsSha256()
    {
        var stored = await Store.PutAsync(new MemoryStream("abc"u8.ToArray()));

        Assert.Equal("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", stored.Digest.ToString());
        Assert.Equal(3, stored.Length);
    }

    [Fact]
    public virtual async Task PutAsync_EmptyStream_StoresEmptyContent()
    {
        var stored = await Store.PutAsync(new MemoryStream());

        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", stored.Digest.ToString());
        Assert.Empty(await ReadAllAsync(stored.Digest));
    }

    [Fact]
    public virtual async Task OpenReadAsync_AfterPut_ReturnsSameBytes()
    {
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);

        var stored = await Store.PutAsync(new MemoryStream(content));

        Assert.Equal(content, await ReadAllAsync(stored.Digest));
    }

    [Fact]
    public virtual async Task PutAsync_SameContentTwice_StoresOnce()
    {
        var first = await Store.PutAsync(new MemoryStream("same"u8.ToArray()));
        var second = await Store.PutAsync(new MemoryStream("same"u8.ToArray()));

        Assert.Equal(first.Digest, second.Digest);
        Assert.Single(await ListAsync());
    }

    [Fact]
    public virtual async Task PutAsync_ConcurrentSameContent_StoresOneReadableObject()
    {
        var content = RandomNumberGenerator.GetBytes(256 * 1024);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => await Store.PutAsync(new MemoryStream(content)))));

        Assert.Single(results.Select(r => r.Digest).Distinct());
        Assert.Single(await ListAsync());
        Assert.Equal(content, await ReadAllAsync(results[0].Digest));
    }

    [Fact]
    public virtual async Task OpenReadAsync_Missing_ThrowsNotFound()
    {
        var missing = ContentDigest.Compute("never stored"u8);

        await Assert.ThrowsAsync<MlOpsNotFoundException>(async () => await Store.OpenReadAsync(missing));
    }

    [Fact]
    public virtual async Task ExistsAsync_FollowsPutAndDelete()
    {
        var stored = await Store.PutAsync(new MemoryStream("here"u8.ToArray()));
        Assert.True(await Store.ExistsAsync(stored.Digest));

        Assert.True(await Store.DeleteAsync(stored.Digest));

        Assert.False(await Store.ExistsAsync(stored.Digest));
        Assert.False(await Store.DeleteAsync(stored.Digest));
    }

    [Fact]
    public virtual async Task OpenReadAsync_CorruptedContent_ThrowsIntegrityErrorAtEnd()
    {
        var stored = await Store.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes(new string('x', 10_000))));

        await CorruptAsync(stored.Digest);

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => ReadAllAsync(stored.Digest));
        Assert.Equal(stored.Digest, error.Expected);
    }

    [Fact]
    public virtual async Task CopyToFileAsync_WritesVerifiedContent_AndNothingWhenCorrupted()
    {
        var good = await Store.PutAsync(new MemoryStream("good"u8.ToArray()));
        var bad = await Store.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes(new string('b', 1000))));
        await CorruptAsync(bad.Digest);
        var target = Path.Combine(Root, "out", "good.bin");
        var rejected = Path.Combine(Root, "out", "bad.bin");

        await Store.CopyToFileAsync(good.Digest, target);
        await Assert.ThrowsAsync<ArtifactIntegrityException>(() => Store.CopyToFileAsync(bad.Digest, rejected));

        Assert.Equal("good", await File.ReadAllTextAsync(target));
        Assert.False(File.Exists(rejected));
        Assert.False(File.Exists(rejected + ".partial"));
    }

    [Fact]
    public virtual async Task DeleteUnreferencedAsync_DeletesOnlyOldUnreferencedContent()
    {
        var kept = await Store.PutAsync(new MemoryStream("kept"u8.ToArray()));
        var garbage = await Store.PutAsync(new MemoryStream("garbage"u8.ToArray()));
        Time.Advance(TimeSpan.FromHours(2));
        var recent = await Store.PutAsync(new MemoryStream("recent"u8.ToArray()));

        var deleted = await Store.DeleteUnreferencedAsync(d => d == kept.Digest, Time.GetUtcNow() - TimeSpan.FromHours(1));

        Assert.Equal(1, deleted);
        Assert.True(await Store.ExistsAsync(kept.Digest));
        Assert.False(await Store.ExistsAsync(garbage.Digest));
        Assert.True(await Store.ExistsAsync(recent.Digest));
    }

    /// <summary>Reads stored content to its end.</summary>
    protected async Task<byte[]> ReadAllAsync(ContentDigest digest)
    {
        await using var stream = await Store.OpenReadAsync(digest);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private async Task<List<StoredArtifact>> ListAsync()
    {
        var list = new List<StoredArtifact>();
        await foreach (var a in Store.ListAsync())
        {
            list.Add(a);
        }

        return list;
    }
}
