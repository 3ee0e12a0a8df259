using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Collection;
using Xunit;

namespace MlOps.Sdk.Storage.Conformance;

/// <summary>Garbage collection over the provider's stores: what runs, model versions and datasets reference stays.</summary>
public abstract class ArtifactCollectionConformanceTests : ProviderTestBase
{
    /// <inheritdoc />
    protected override void ConfigureLayers(IMlOpsBuilder builder) => builder.AddTracking().AddModelRegistry().AddDatasets();

    [Fact]
    public async Task Collect_DeletesOnlyUnreferencedContentStoredBeforeTheGracePeriod()
    {
        var artifacts = Services.GetRequiredService<ArtifactStore>();
        var tracker = Services.GetRequiredService<ExperimentTracker>();
        var registry = Services.GetRequiredService<ModelRegistry>();
        RunArtifact logged;
        await using (var run = await tracker.StartRunAsync("gc"))
        {
            logged = await run.LogArtifactAsync("report.txt", new MemoryStream("kept by a run"u8.ToArray()));
        }

        var version = await registry.RegisterModelAsync("fraud", new MemoryStream(OnnxModels.AddConstant(1, 4)));
        var data = Directory.CreateDirectory(Path.Combine(Root, "data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "part.csv"), "kept by a dataset");
        await Services.GetRequiredService<IDatasetRegistry>().SnapshotAsync("transactions", data);
        var file = (await Services.GetRequiredService<IDatasetRegistry>().GetFilesAsync("transactions", 1)).Single();
        var garbage = new List<ContentDigest>();
        for (var i = 0; i < 3; i++)
        {
            garbage.Add((await artifacts.PutAsync(new MemoryStream([(byte)i, 42]))).Digest);
        }

        Time.Advance(TimeSpan.FromHours(2));
        var recent = (await artifacts.PutAsync(new MemoryStream("stored within the grace period"u8.ToArray()))).Digest;
        var collector = Services.GetRequiredService<ArtifactGarbageCollector>();

        var dry = await collector.CollectAsync(dryRun: true);
        Assert.Equal(3, dry.Deleted);
        Assert.True(await artifacts.ExistsAsync(garbage[0]));

        var report = await collector.CollectAsync();
        Assert.Equal(3, report.Deleted);
        Assert.Equal(6, report.BytesFreed);
        Assert.True(report.Referenced >= 3);
        foreach (var digest in garbage)
        {
            Assert.False(await artifacts.ExistsAsync(digest));
        }

        foreach (var digest in new[] { logged.Digest, version.Digest!.Value, file.Digest, recent })
        {
            await using var content = await artifacts.OpenReadAsync(digest);
            await content.CopyToAsync(Stream.Null);
        }

        // Without a grace period, content stored before the collection started is all that is eligible.
        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await collector.CollectAsync(TimeSpan.Zero)).Deleted);
        Assert.False(await artifacts.ExistsAsync(recent));
        Assert.True(await artifacts.ExistsAsync(logged.Digest));
    }
}
