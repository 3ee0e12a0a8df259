using MlOps.Sdk.Storage.Conformance;
using Xunit;
using Xunit.Abstractions;

namespace MlOps.Sdk.Storage.PostgreSql.Tests;

public sealed class PostgreSqlTrackingStoreConformanceTests : TrackingStoreConformanceTests
{
    private readonly PostgreSqlStore _store = new();

    protected override void ConfigureProvider(IMlOpsBuilder builder) => _store.Use(builder);
}

public sealed class PostgreSqlRunSearchConformanceTests : RunSearchConformanceTests
{
    private readonly PostgreSqlStore _store = new();

    protected override void ConfigureProvider(IMlOpsBuilder builder) => _store.Use(builder);
}

public sealed class PostgreSqlRunSearchFuzzTests(ITestOutputHelper output) : RunSearchFuzzConformanceTests(output)
{
    private const string CountTables = "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema();";
    private readonly PostgreSqlStore _store = new();
    private long _tables;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _tables = await _store.ScalarAsync<long>(CountTables);
        Assert.True(_tables > 20, $"{_tables} tables after the runs were logged");
    }

    protected override void ConfigureProvider(IMlOpsBuilder builder) => _store.Use(builder);

    /// <summary>Every table of the schema is still there and PostgreSQL's B-tree check (amcheck) finds every index sound.</summary>
    protected override async Task AssertStoreIntactAsync()
    {
        Assert.Equal(_tables, await _store.ScalarAsync<long>(CountTables));
        await _store.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS amcheck SCHEMA public;");
        await _store.ExecuteAsync("SELECT public.bt_index_check(c.oid, true) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' AND c.relnamespace = current_schema()::regnamespace;");
    }
}

public sealed class PostgreSqlModelRegistryConformanceTests : ModelRegistryConformanceTests
{
    private readonly PostgreSqlStore _store = new();

    protected override void ConfigureProvider(IMlOpsBuilder builder) => _store.Use(builder);

    protected override Task TamperVersionDigestAsync(string model, int number, ContentDigest digest) =>
        _store.ExecuteAsync("UPDATE model_versions SET digest = $1 WHERE number = $2 AND model_id = (SELECT model_id FROM registered_models WHERE name = $3);", digest.ToString(), number, model);

    protected override Task EditAuditEntryAsync(long sequence) =>
        _store.ExecuteAsync("UPDATE audit_log SET actor = 'mallory' WHERE sequence = $1;", sequence);

    protected override Task DeleteAuditEntryAsync(long sequence) =>
        _store.ExecuteAsync("DELETE FROM audit_log WHERE sequence = $1;", sequence);

    protected override Task SwapAuditEntriesAsync(long first, long second) =>
        _store.ExecuteAsync(
            """
            UPDATE audit_log a SET (time, actor, action, subject, before, after, reason, previous_hash, hash) =
                (SELECT b.time, b.actor, b.action, b.subject, b.before, b.after, b.reason, b.previous_hash, b.hash FROM audit_log b
                 WHERE b.sequence = CASE a.sequence WHEN $1 THEN $2 ELSE $1 END)
            WHERE a.sequence IN ($1, $2);
            """,
            first,
            second);
}

public sealed class PostgreSqlDatasetConformanceTests : DatasetConformanceTests
{
    private readonly PostgreSqlStore _store = new();

    protected override void ConfigureProvider(IMlOpsBuilder builder) => _store.Use(builder);

    protected override Task TamperFilePathAsync(string name, int version, string oldPath, string newPath) =>
        _store.ExecuteAsync("UPDATE dataset_files SET path = $1 WHERE name = $2 AND version = $3 AND path = $4;", newPath, name, version, oldPath);
}

public sealed class PostgreSqlArtifactCollectionConformanceTests : ArtifactCollectionConformanceTests
{
    private readonly PostgreSqlStore _store = new();

    protected override void ConfigureProvider(IMlOpsBuilder builder) => _store.Use(builder);
}

public sealed class PostgreSqlStateStoreConformanceTests : StateStoreConformanceTests
{
    private readonly PostgreSqlStore _store = new();

    protected override void ConfigureProvider(IMlOpsBuilder builder) => _store.Use(builder);
}

public sealed class PostgreSqlConformanceCoverageTests
{
    [Fact]
    public void Provider_InheritsEveryConformanceSuite() =>
        ConformanceSuites.AssertAllInherited(typeof(PostgreSqlConformanceCoverageTests).Assembly, ProviderCapabilities.Tracking | ProviderCapabilities.Versioning | ProviderCapabilities.State);
}
