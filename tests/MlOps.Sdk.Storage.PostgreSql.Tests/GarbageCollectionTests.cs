using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage.Conformance.Services;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning.Collection;
using Xunit;

namespace MlOps.Sdk.Storage.PostgreSql.Tests;

/// <summary>Garbage collection on PostgreSQL + S3 while another instance keeps writing, on real clocks.</summary>
[Trait("Category", "Fault")]
public sealed class GarbageCollectionTests
{
    [Fact]
    public async Task Collection_WhileAnotherInstanceWrites_KeepsEverythingReferencedOrWrittenAfterItStarted()
    {
        var store = new PostgreSqlStore();
        var bucket = S3Server.NewBucket();
        using (var client = Client())
        {
            await client.PutBucketAsync(bucket);
        }

        await using var writer = Build(store, bucket);
        await using var collector = Build(store, bucket);
        var artifacts = writer.GetRequiredService<ArtifactStore>();
        var old = new List<ContentDigest>();
        for (var i = 0; i < 5; i++)
        {
            old.Add((await artifacts.PutAsync(new MemoryStream(Guid.NewGuid().ToByteArray()))).Digest);
        }

        await Task.Delay(1_500);

        // The other instance: each step stores content and records it on a run; every third stores garbage.
        var written = new List<(ContentDigest Digest, bool Referenced, DateTimeOffset Started)>();
        var writes = 0;
        using var stop = new CancellationTokenSource();
        var writing = Task.Run(async () =>
        {
            var tracker = writer.GetRequiredService<ExperimentTracker>();
            await using var run = await tracker.StartRunAsync("gc");
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var started = DateTimeOffset.UtcNow;
                var bytes = Guid.NewGuid().ToByteArray();
                if (i % 3 == 2)
                {
                    var stored = (await artifacts.PutAsync(new MemoryStream(bytes))).Digest;
                    lock (written)
                    {
                        written.Add((stored, false, started));
                    }
                }
                else
                {
                    var logged = (await run.LogArtifactAsync($"step-{i}.bin", new MemoryStream(bytes))).Digest;
                    lock (written)
                    {
                        written.Add((logged, true, started));
                    }
                }
            }
        });

        // The writer has been at it for a while when the collection starts: it keeps writing through it.
        while (writes < 20)
        {
            lock (written)
            {
                writes = written.Count;
            }

            await Task.Delay(50);
        }

        await Task.Delay(1_000);
        var collectionStarted = DateTimeOffset.UtcNow;
        var grace = TimeSpan.FromMilliseconds(500);
        var report = await collector.GetRequiredService<ArtifactGarbageCollector>().CollectAsync(grace);
        await Task.Delay(300);
        await stop.CancelAsync();
        await writing;

        Assert.True(report.Deleted >= old.Count, $"{report.Deleted} deleted; the {old.Count} old unreferenced objects should be.");
        var store2 = collector.GetRequiredService<ArtifactStore>();
        foreach (var digest in old)
        {
            Assert.False(await store2.ExistsAsync(digest));
        }

        // The collection's own bound (its clock, read inside the call, less the grace period): a write started at or
        // after it stored its content after it, and must be kept.
        Assert.True(report.StoredBefore >= collectionStarted - grace);
        var afterStart = written.Where(w => w.Started >= report.StoredBefore).ToList();
        Assert.True(afterStart.Count > 10 && written.Count > afterStart.Count, $"{written.Count} writes, {afterStart.Count} after the collection started: the writes did not overlap it.");
        foreach (var (digest, referenced, started) in written)
        {
            if (referenced || started >= report.StoredBefore)
            {
                Assert.True(await store2.ExistsAsync(digest), $"{digest} (referenced: {referenced}, written {started:O}; collection at {collectionStarted:O}) was deleted.");
            }
        }
    }

    private static ServiceProvider Build(PostgreSqlStore store, string bucket)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IAmazonS3>(Client());
        store.Use(services.AddMlOps(o => o.RootDirectory = Path.Combine(Path.GetTempPath(), "mlops-gc-" + Guid.NewGuid().ToString("N"))).AddTracking().AddModelRegistry().AddDatasets()).UseS3Artifacts(o =>
        {
            o.BucketName = bucket;
            o.UseChunkEncoding = false;
        });
        return services.BuildServiceProvider();
    }

    private static AmazonS3Client Client() =>
        new(new BasicAWSCredentials(S3Server.Credential, S3Server.Credential), new AmazonS3Config { ServiceURL = S3Server.ServiceUrl(S3Server.Instance), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
}
