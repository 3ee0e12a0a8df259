using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using Xunit;

namespace MlOps.Sdk.Storage.Sqlite.Tests;

public sealed class SqliteTrackingStoreConformanceTests : TrackingStoreConformanceTests
{
    protected override void ConfigureProvider(IMlOpsBuilder builder) => builder.UseSqlite();
}

public sealed class SqliteRunSearchConformanceTests : RunSearchConformanceTests
{
    protected override void ConfigureProvider(IMlOpsBuilder builder) => builder.UseSqlite();
}

public sealed class SqliteConformanceCoverageTests
{
    [Fact]
    public void Provider_InheritsEveryConformanceSuite() =>
        ConformanceSuites.AssertAllInherited(typeof(SqliteConformanceCoverageTests).Assembly, ProviderCapabilities.Tracking | ProviderCapabilities.Versioning | ProviderCapabilities.State);
}
