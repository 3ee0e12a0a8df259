using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage.Conformance.Services;
using Xunit;

namespace MlOps.Sdk.Storage.S3.Tests;

/// <summary>Large uploads, a server that stores what it should not, and a server that goes away mid-upload.</summary>
[Trait("Category", "Fault")]
public sealed class S3FaultTests
{
    private static ServiceProvider Build(S3Bucket bucket, Action<S3.S3ArtifactStoreOptions>? configure = null)
    {
        var services = new ServiceCollection();
        bucket.Use(services.AddMlOps(o => o.RootDirectory = Path.Combine(Path.GetTempPath(), "mlops-s3-" + Guid.NewGuid().ToString("N"))), configure);
        return services.BuildServiceProvider();
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task ChunkSignaturesStoredInsideTheObject_AreCaughtByTheDigestCheck_OnRead()
    {
        // s3rver does not understand aws-chunked uploads: with chunk encoding on, it keeps the chunk signatures as content.
        var bucket = new S3Bucket();
        await using var services = Build(bucket, o => o.UseChunkEncoding = true);
        var store = services.GetRequiredService<ArtifactStore>();
        var stored = await store.PutAsync(new MemoryStream(RandomBytes(100_000, 1)));

        await using (var read = await store.OpenReadAsync(stored.Digest))
        {
            await Assert.ThrowsAsync<ArtifactIntegrityException>(() => read.CopyToAsync(Stream.Null));
        }

        var target = Path.Combine(Path.GetTempPath(), "mlops-s3-chunked-" + Guid.NewGuid().ToString("N"));
        await Assert.ThrowsAsync<ArtifactIntegrityException>(() => store.CopyToFileAsync(stored.Digest, target));
        Assert.False(File.Exists(target));
        Assert.False(File.Exists(target + ".partial"));
    }

    [Fact]
    public async Task LargeArtifact_GoesAsAMultipartUpload_AndReadsBackVerified()
    {
        var bucket = new S3Bucket();
        await using var services = Build(bucket, o =>
        {
            o.MultipartThreshold = 5L << 20;
            o.PartSize = 5L << 20;
            o.MaxConcurrentParts = 3;
        });
        var store = services.GetRequiredService<ArtifactStore>();
        var content = RandomBytes((23 << 20) + 12_345, 2);
        var file = Path.Combine(Path.GetTempPath(), "mlops-s3-large-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(file, content);
        try
        {
            var stored = await store.PutFileAsync(file);
            Assert.Equal(ContentDigest.Compute(content), stored.Digest);
            Assert.Equal(content.Length, stored.Length);
            using var copy = new MemoryStream();
            await using (var read = await store.OpenReadAsync(stored.Digest))
            {
                await read.CopyToAsync(copy);
            }

            Assert.True(content.AsSpan().SequenceEqual(copy.ToArray()));
            Assert.Equal([$"mlops/sha256/{stored.Digest.Hex[..2]}/{stored.Digest.Hex[2..]}"], await bucket.KeysAsync());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ServerStoppedMidUpload_GivesATypedError_AndNoObjectUnderTheDigest_ThenTheUploadSucceeds()
    {
        using var server = S3Server.StartNew();
        var bucket = new S3Bucket(server);
        await using var services = Build(bucket, o =>
        {
            o.MultipartThreshold = 5L << 20;
            o.PartSize = 5L << 20;
            o.MaxConcurrentParts = 1;
        });
        var store = services.GetRequiredService<ArtifactStore>();
        var content = RandomBytes(80 << 20, 3);
        var digest = ContentDigest.Compute(content);

        var upload = store.PutAsync(new MemoryStream(content)).AsTask();
        await Task.Delay(300);
        Assert.False(upload.IsCompleted, "The upload ended before the server was stopped: the test tested nothing.");
        server.Stop();
        var error = await Assert.ThrowsAsync<MlOpsException>(() => upload);
        Assert.Contains(digest.ToString(), error.Message, StringComparison.Ordinal);

        server.StartAgain();
        Assert.False(await store.ExistsAsync(digest));
        Assert.Empty(await bucket.KeysAsync());
        await Assert.ThrowsAsync<MlOpsNotFoundException>(async () => await store.OpenReadAsync(digest));

        var stored = await store.PutAsync(new MemoryStream(content));
        Assert.Equal(digest, stored.Digest);
        await using var read = await store.OpenReadAsync(digest);
        await read.CopyToAsync(Stream.Null);
    }

    [Fact]
    public async Task ServerRestartedMidUpload_TheUploadIsRetriedWhole_AndSucceeds()
    {
        using var server = S3Server.StartNew();
        var bucket = new S3Bucket(server);
        await using var services = Build(bucket, o =>
        {
            o.MultipartThreshold = 5L << 20;
            o.PartSize = 5L << 20;
            o.MaxConcurrentParts = 1;
        });
        var store = services.GetRequiredService<ArtifactStore>();
        var content = RandomBytes(40 << 20, 4);

        var upload = store.PutAsync(new MemoryStream(content)).AsTask();
        await Task.Delay(300);
        Assert.False(upload.IsCompleted, "The upload ended before the server was stopped: the test tested nothing.");
        server.Stop();
        await Task.Delay(100);
        server.StartAgain();
        var stored = await upload;

        Assert.Equal(ContentDigest.Compute(content), stored.Digest);
        using var copy = new MemoryStream();
        await using (var read = await store.OpenReadAsync(stored.Digest))
        {
            await read.CopyToAsync(copy);
        }

        Assert.True(content.AsSpan().SequenceEqual(copy.ToArray()));
    }
}
