using MlOps.Sdk.Storage.Conformance;
using Xunit;

namespace MlOps.Sdk.Storage.AzureBlob.Tests;

public sealed class AzureBlobArtifactStoreConformanceTests : ArtifactStoreConformanceTests
{
    private readonly BlobContainer _container = new();

    protected override void ConfigureProvider(IMlOpsBuilder builder) => _container.Use(builder);

    protected override Task CorruptAsync(ContentDigest digest) => _container.OverwriteAsync(digest, "tampered"u8.ToArray());
}

public sealed class AzureBlobConformanceCoverageTests
{
    [Fact]
    public void Provider_InheritsEveryConformanceSuite() =>
        ConformanceSuites.AssertAllInherited(typeof(AzureBlobConformanceCoverageTests).Assembly, ProviderCapabilities.Artifacts);
}
