using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using Microsoft.Data.Sqlite;
using Xunit;
using Xunit.Abstractions;

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

public sealed class SqliteRunSearchFuzzTests(ITestOutputHelper output) : RunSearchFuzzConformanceTests(output)
{
    protected override void ConfigureProvider(IMlOpsBuilder builder) => builder.UseSqlite();

    protected override async Task AssertStoreIntactAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(Root, "mlops.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", (string?)await command.ExecuteScalarAsync());
    }
}
