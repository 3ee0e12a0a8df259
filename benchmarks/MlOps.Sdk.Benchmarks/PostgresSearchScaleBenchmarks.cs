using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance.Services;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// <see cref="TrackingSearchScaleBenchmarks"/> on PostgreSQL: the same runs, queries and baseline, in schema
/// <c>scale_{runs}</c> of a cluster kept in <c>$TMPDIR/mlops-search-scale-pg/cluster</c> and reused by later runs
/// (delete the directory to fill again). The cluster runs with PostgreSQL's defaults but <c>fsync=off</c>.
/// </summary>
public class PostgresSearchScaleBenchmarks : TrackingSearchScaleBenchmarks
{
    private static readonly Lazy<PostgreSqlServer> Server = new(() => PostgreSqlServer.StartAt(Path.Combine(Path.GetTempPath(), "mlops-search-scale-pg", "cluster")));

    /// <inheritdoc />
    protected override string CacheDirectory => Path.Combine(Path.GetTempPath(), "mlops-search-scale-pg");

    /// <inheritdoc />
    protected override async Task ResetAsync(IServiceProvider services)
    {
        var schema = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MlOps.Sdk.Storage.PostgreSql.PostgreSqlStoreOptions>>().Value.Schema;
        await using var connection = new Npgsql.NpgsqlConnection(Server.Value.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE;", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <inheritdoc />
    protected override ServiceProvider Build(string directory)
    {
        var runs = Path.GetFileName(directory);
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = directory).AddTracking().UsePostgreSql(o =>
        {
            o.ConnectionString = Server.Value.ConnectionString;
            o.Schema = "scale_" + runs.ToString(CultureInfo.InvariantCulture);
        });
        return services.BuildServiceProvider();
    }
}
