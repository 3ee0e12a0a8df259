using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlOps.Sdk.Cli;

/// <summary>
/// The store a command works on: a directory holding an embedded store (<c>mlops.db</c> and <c>artifacts/</c>), or a
/// PostgreSQL connection string (anything with an <c>=</c>) whose artifacts are in the <c>--artifacts</c> directory.
/// A command never creates a store: a path without one is an error that says so.
/// </summary>
internal static class Store
{
    public static ServiceProvider Open(string store, string? artifacts, string schema, IReadOnlyList<string> approvals)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        UseStore(Layers(services, Root(store, artifacts), approvals), store, schema);
        return services.BuildServiceProvider();
    }

    /// <summary>The directory of the store's artifacts (and local state): the store itself, or --artifacts for PostgreSQL.</summary>
    public static string Root(string store, string? artifacts)
    {
        if (IsPostgreSql(store))
        {
            return artifacts ?? throw new CliException(ExitCodes.InvalidInput, "A PostgreSQL store needs --artifacts, the directory of its artifacts.");
        }

        var root = Path.GetFullPath(store);
        return File.Exists(Path.Combine(root, "mlops.db"))
            ? root
            : throw new CliException(ExitCodes.NotFound, $"No store at '{root}': it holds no mlops.db. Give the directory of one with --store.");
    }

    public static void UseStore(IMlOpsBuilder layers, string store, string schema)
    {
        if (IsPostgreSql(store))
        {
            layers.UsePostgreSql(o => (o.ConnectionString, o.Schema) = (store, schema));
        }
        else
        {
            layers.UseSqlite();
        }
    }

    private static bool IsPostgreSql(string store) => store.Contains('=', StringComparison.Ordinal);

    /// <summary>Tracking, the registry with the approval policies given, datasets and lineage, over the root's artifacts.</summary>
    public static IMlOpsBuilder Layers(IServiceCollection services, string root, IReadOnlyList<string> approvals) =>
        services.AddMlOps(o => o.RootDirectory = root).AddTracking().AddModelRegistry(r =>
        {
            foreach (var policy in approvals)
            {
                var parts = policy.Split(':', 2);
                var approvers = 1;
                if (parts.Length == 2 && !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out approvers))
                {
                    throw new CliException(ExitCodes.InvalidInput, $"--approval-required takes alias or alias:approvers, not '{policy}'.");
                }

                r.RequireApprovalFor(parts[0], approvers);
            }
        }).AddDatasets();
}
