using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Testing.Artifacts;
using Xunit;
using Xunit.Abstractions;

namespace MlOps.Sdk.Testing.Tests;

public sealed class InMemoryArtifactStoreConformanceTests : ArtifactStoreConformanceTests
{
    protected override void ConfigureProvider(IMlOpsBuilder builder) => builder.UseInMemoryStores();

    protected override Task CorruptAsync(ContentDigest digest)
    {
        ((InMemoryArtifactStore)Services.GetRequiredService<ArtifactStore>()).Corrupt(digest, bytes =>
        {
            var copy = bytes.ToArray();
            copy[copy.Length / 2] ^= 1;
            return copy;
        });
        return Task.CompletedTask;
    }
}

public sealed class InMemoryTrackingStoreConformanceTests : TrackingStoreConformanceTests
{
    protected override void ConfigureProvider(IMlOpsBuilder builder) => builder.UseInMemoryStores();
}

public sealed class InMemoryRunSearchConformanceTests : RunSearchConformanceTests
{
    protected override void ConfigureProvider(IMlOpsBuilder builder) => builder.UseInMemoryStores();
}

public sealed class InMemoryRunSearchFuzzTests(ITestOutputHelper output) : RunSearchFuzzConformanceTests(output)
{
    protected override void ConfigureProvider(IMlOpsBuilder builder) => builder.UseInMemoryStores();

    /// <summary>Memory has no file to damage: the experiments the runs were logged in are both still there, undeleted.</summary>
    protected override async Task AssertStoreIntactAsync() =>
        Assert.Equal(["fuzz", "fuzz-2"], (await Services.GetRequiredService<MlOps.Sdk.Tracking.Storage.TrackingStore>().ListExperimentsAsync()).Select(e => e.Name));
}

public sealed class InMemoryConformanceCoverageTests
{
    [Fact]
    public void Provider_InheritsEveryConformanceSuite() =>
        ConformanceSuites.AssertAllInherited(typeof(InMemoryConformanceCoverageTests).Assembly, ProviderCapabilities.Artifacts | ProviderCapabilities.Tracking | ProviderCapabilities.Versioning | ProviderCapabilities.State);
}

public sealed class InMemoryArtifactCollectionConformanceTests : ArtifactCollectionConformanceTests
{
    protected override void ConfigureProvider(IMlOpsBuilder builder) => builder.UseInMemoryStores();
}
