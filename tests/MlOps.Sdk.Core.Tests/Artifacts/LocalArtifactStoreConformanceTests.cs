using MlOps.Sdk.Storage.Conformance;

namespace MlOps.Sdk.Core.Tests.Artifacts;

public sealed class LocalArtifactStoreConformanceTests : ArtifactStoreConformanceTests
{
    protected override void ConfigureProvider(IMlOpsBuilder builder)
    {
        // AddMlOps() registers the local content-addressed store by default.
    }

    protected override async Task CorruptAsync(ContentDigest digest)
    {
        var path = Path.Combine(Root, "artifacts", digest.Hex[..2], digest.Hex[2..]);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);
    }
}

public sealed class LocalConformanceCoverageTests
{
    [Xunit.Fact]
    public void Provider_InheritsEveryConformanceSuite() =>
        ConformanceSuites.AssertAllInherited(typeof(LocalConformanceCoverageTests).Assembly, ProviderCapabilities.Artifacts);
}
