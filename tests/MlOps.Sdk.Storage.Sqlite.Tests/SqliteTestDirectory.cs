using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Tracking;

namespace MlOps.Sdk.Storage.Sqlite.Tests;

/// <summary>A root directory of a test's own, with helpers to open the store in it as a host would.</summary>
internal sealed class SqliteTestDirectory : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "mlops-sqlite-" + Guid.NewGuid().ToString("N"));

    public string DatabasePath => Path.Combine(Root, "mlops.db");

    public ServiceProvider BuildServices(Action<TrackingOptions>? tracking = null, bool registry = false)
    {
        var services = new ServiceCollection();
        var builder = services.AddMlOps(o => o.RootDirectory = Root).AddTracking(tracking).UseSqlite();
        if (registry)
        {
            builder.AddModelRegistry().AddDatasets();
        }

        return services.BuildServiceProvider();
    }

    public string IntegrityCheck()
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        return (string)command.ExecuteScalar()!;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
