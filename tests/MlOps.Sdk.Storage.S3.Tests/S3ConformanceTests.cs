using MlOps.Sdk.Storage.Conformance;
using Xunit;

namespace MlOps.Sdk.Storage.S3.Tests;

public sealed class S3ArtifactStoreConformanceTests : ArtifactStoreConformanceTests
{
    private readonly S3Bucket _bucket = new();

    protected override void ConfigureProvider(IMlOpsBuilder builder) => _bucket.Use(builder);

    protected override Task CorruptAsync(ContentDigest digest) => _bucket.OverwriteAsync(digest, "tampered"u8.ToArray());
}

public sealed class S3ConformanceCoverageTests
{
    [Fact]
    public void Provider_InheritsEveryConformanceSuite() =>
        ConformanceSuites.AssertAllInherited(typeof(S3ConformanceCoverageTests).Assembly, ProviderCapabilities.Artifacts);
}
