using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Testing.Artifacts;
using Xunit;

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

public sealed class InMemoryConformanceCoverageTests
{
    [Fact]
    public void Provider_InheritsEveryConformanceSuite() =>
        ConformanceSuites.AssertAllInherited(typeof(InMemoryConformanceCoverageTests).Assembly, ProviderCapabilities.Artifacts | ProviderCapabilities.Tracking | ProviderCapabilities.Versioning | ProviderCapabilities.State);
}
