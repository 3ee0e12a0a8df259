using Microsoft.Extensions.DependencyInjection;
using Azure.Storage.Blobs.Specialized;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage.AzureBlob;
using MlOps.Sdk.Storage.Conformance.Services;
using Xunit;

namespace MlOps.Sdk.Storage.AzureBlob.Tests;

/// <summary>Large uploads staged as blocks, and a server that goes away mid-upload.</summary>
[Trait("Category", "Fault")]
public sealed class AzureBlobFaultTests
{
    private static ServiceProvider Build(BlobContainer container, Action<AzureBlobArtifactStoreOptions>? configure = null)
    {
        var services = new ServiceCollection();
        container.Use(services.AddMlOps(o => o.RootDirectory = Path.Combine(Path.GetTempPath(), "mlops-blob-" + Guid.NewGuid().ToString("N"))), configure);
        return services.BuildServiceProvider();
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static void Small(AzureBlobArtifactStoreOptions o)
    {
        o.SingleUploadThreshold = 4L << 20;
        o.BlockSize = 4L << 20;
        o.MaxConcurrentBlocks = 1;
    }

    [Fact]
    public async Task LargeArtifact_IsStagedAsBlocks_AndReadsBackVerified()
    {
        var container = new BlobContainer();
        await using var services = Build(container, o =>
        {
            Small(o);
            o.MaxConcurrentBlocks = 3;
        });
        var store = services.GetRequiredService<ArtifactStore>();
        var content = RandomBytes((21 << 20) + 777, 2);
        var stored = await store.PutAsync(new MemoryStream(content));

        Assert.Equal(ContentDigest.Compute(content), stored.Digest);
        using var copy = new MemoryStream();
        await using (var read = await store.OpenReadAsync(stored.Digest))
        {
            await read.CopyToAsync(copy);
        }

        Assert.True(content.AsSpan().SequenceEqual(copy.ToArray()));
        var blob = container.Client.GetBlockBlobClient($"mlops/sha256/{stored.Digest.Hex[..2]}/{stored.Digest.Hex[2..]}");
        Assert.Equal(6, (await blob.GetBlockListAsync()).Value.CommittedBlocks.Count());
    }

    [Fact]
    public async Task ServerStoppedMidUpload_GivesATypedError_AndNoBlobUnderTheDigest_ThenTheUploadSucceeds()
    {
        using var server = AzuriteServer.StartNew();
        var container = new BlobContainer(server);
        await using var services = Build(container, Small);
        var store = services.GetRequiredService<ArtifactStore>();
        var content = RandomBytes(200 << 20, 3);
        var digest = ContentDigest.Compute(content);

        var upload = store.PutAsync(new MemoryStream(content)).AsTask();
        await Task.Delay(400);
        Assert.False(upload.IsCompleted, "The upload ended before the server was stopped: the test tested nothing.");
        server.Stop();
        var error = await Assert.ThrowsAsync<MlOpsException>(() => upload);
        Assert.Contains(digest.ToString(), error.Message, StringComparison.Ordinal);

        server.StartAgain();
        Assert.False(await store.ExistsAsync(digest));
        Assert.Empty(await container.NamesAsync());

        var stored = await store.PutAsync(new MemoryStream(content));
        Assert.Equal(digest, stored.Digest);
        await using var read = await store.OpenReadAsync(digest);
        await read.CopyToAsync(Stream.Null);
    }
}
