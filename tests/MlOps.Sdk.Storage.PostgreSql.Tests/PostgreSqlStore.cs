using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance.Services;
using Npgsql;

namespace MlOps.Sdk.Storage.PostgreSql.Tests;

/// <summary>A schema of a test's own on the process's PostgreSQL server, and SQL run straight at it (tampering, faults).</summary>
internal sealed class PostgreSqlStore
{
    public string Schema { get; } = PostgreSqlServer.NewSchema();

    public static PostgreSqlServer Server => PostgreSqlServer.Instance;

    public IMlOpsBuilder Use(IMlOpsBuilder builder) =>
        builder.UsePostgreSql(o =>
        {
            o.ConnectionString = Server.ConnectionString;
            o.Schema = Schema;
        });

    public async Task ExecuteAsync(string sql, params object[] values) => await ScalarAsync<object>(sql, values);

    public async Task<T> ScalarAsync<T>(string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server.ConnectionString) { SearchPath = Schema, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }
}
