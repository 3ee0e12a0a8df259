using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;

namespace MlOps.Sdk.Storage.Sqlite.Tests;

/// <summary>Tampering goes straight at the database file, as someone with access to it would.</summary>
internal static class SqliteFile
{
    public static async Task ExecuteAsync(string root, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(root, "mlops.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}

public sealed class SqliteModelRegistryConformanceTests : ModelRegistryConformanceTests
{
    protected override void ConfigureProvider(IMlOpsBuilder builder) => builder.UseSqlite();

    protected override Task TamperVersionDigestAsync(string model, int number, ContentDigest digest) =>
        SqliteFile.ExecuteAsync(Root, "UPDATE model_versions SET digest = $d WHERE number = $n AND model_id = (SELECT model_id FROM registered_models WHERE name = $m);", ("$d", digest.ToString()), ("$n", number), ("$m", model));

    protected override Task EditAuditEntryAsync(long sequence) =>
        SqliteFile.ExecuteAsync(Root, "UPDATE audit_log SET actor = 'mallory' WHERE sequence = $s;", ("$s", sequence));

    protected override Task DeleteAuditEntryAsync(long sequence) =>
        SqliteFile.ExecuteAsync(Root, "DELETE FROM audit_log WHERE sequence = $s;", ("$s", sequence));

    protected override Task SwapAuditEntriesAsync(long first, long second) =>
        SqliteFile.ExecuteAsync(
            Root,
            """
            CREATE TEMP TABLE swap AS SELECT * FROM audit_log WHERE sequence IN ($a, $b);
            UPDATE audit_log SET (time, actor, action, subject, before, after, reason, previous_hash, hash) =
                (SELECT time, actor, action, subject, before, after, reason, previous_hash, hash FROM swap
                 WHERE swap.sequence = CASE audit_log.sequence WHEN $a THEN $b ELSE $a END)
            WHERE sequence IN ($a, $b);
            """,
            ("$a", first),
            ("$b", second));
}

public sealed class SqliteDatasetConformanceTests : DatasetConformanceTests
{
    protected override void ConfigureProvider(IMlOpsBuilder builder) => builder.UseSqlite();

    protected override Task TamperFilePathAsync(string name, int version, string oldPath, string newPath) =>
        SqliteFile.ExecuteAsync(Root, "UPDATE dataset_files SET path = $new WHERE name = $name AND version = $v AND path = $old;", ("$new", newPath), ("$name", name), ("$v", version), ("$old", oldPath));
}

public sealed class SqliteStateStoreConformanceTests : StateStoreConformanceTests
{
    protected override void ConfigureProvider(IMlOpsBuilder builder) => builder.UseSqlite();
}

public sealed class SqliteArtifactCollectionConformanceTests : ArtifactCollectionConformanceTests
{
    protected override void ConfigureProvider(IMlOpsBuilder builder) => builder.UseSqlite();
}
