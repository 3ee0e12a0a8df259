using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Benchmarks;

/// <summary>Resolving <c>fraud@production</c> through the registry against reading the same row with raw SQL over an open connection.</summary>
[MemoryDiagnoser]
public class AliasResolveBenchmarks
{
    private const string HandWritten = """
        SELECT m.name, v.number, v.status, v.digest, v.length, v.source_run_id, v.signature_json, v.signatures_json, v.created_by, v.created_at, v.status_message
        FROM model_aliases a
        JOIN registered_models m ON m.model_id = a.model_id
        JOIN model_versions v ON v.model_id = a.model_id AND v.number = a.number
        WHERE m.name = $name AND a.alias = $alias;
        """;

    private string _root = null!;
    private ServiceProvider _services = null!;
    private ModelRegistry _registry = null!;
    private SqliteConnection _connection = null!;
    private SqliteCommand _command = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "mlops-bench-alias-" + Guid.NewGuid().ToString("N"));
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = _root).AddModelRegistry().UseSqlite();
        _services = services.BuildServiceProvider();
        _registry = _services.GetRequiredService<ModelRegistry>();
        for (var i = 1; i <= 10; i++)
        {
            await _registry.RegisterModelAsync("fraud", new MemoryStream(OnnxModels.Identity(OnnxModels.Float, ["batch", i])));
        }

        await _registry.SetAliasAsync("fraud", "production", 7);
        _connection = new SqliteConnection($"Data Source={Path.Combine(_root, "mlops.db")}");
        _connection.Open();
        _command = _connection.CreateCommand();
        _command.CommandText = HandWritten;
        _command.Parameters.AddWithValue("$name", "fraud");
        _command.Parameters.AddWithValue("$alias", "production");
        _command.Prepare();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _command.Dispose();
        _connection.Dispose();
        _services.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public int RawSql()
    {
        using var reader = _command.ExecuteReader();
        reader.Read();
        _ = (reader.GetString(0), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.IsDBNull(5), reader.GetString(6), reader.GetString(7), reader.GetString(8), reader.GetInt64(9), reader.IsDBNull(10));
        return reader.GetInt32(1);
    }

    [Benchmark]
    public async Task<int> ResolveAsync() => (await _registry.ResolveAsync("fraud@production")).Number;
}
