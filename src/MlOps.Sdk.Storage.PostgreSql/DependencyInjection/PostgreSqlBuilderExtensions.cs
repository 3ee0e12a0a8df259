using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlOps.Sdk;
using MlOps.Sdk.State;
using MlOps.Sdk.Storage.PostgreSql;
using MlOps.Sdk.Storage.PostgreSql.DependencyInjection;
using MlOps.Sdk.Storage.PostgreSql.State;
using MlOps.Sdk.Storage.PostgreSql.Tracking;
using MlOps.Sdk.Storage.PostgreSql.Versioning;
using MlOps.Sdk.Tracking.Storage;
using MlOps.Sdk.Versioning.Storage;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL metadata store.</summary>
public static class PostgreSqlBuilderExtensions
{
    /// <summary>
    /// Keeps all MlOps.Sdk metadata in the PostgreSQL database of <paramref name="connectionString"/>, in schema
    /// <c>mlops</c>. Replaces any metadata store registered before.
    /// </summary>
    public static IMlOpsBuilder UsePostgreSql(this IMlOpsBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UsePostgreSql(o => o.ConnectionString = connectionString);
    }

    /// <summary>
    /// Keeps all MlOps.Sdk metadata in the database of the <see cref="NpgsqlDataSource"/> registered in the container
    /// (Npgsql.DependencyInjection's <c>AddNpgsqlDataSource</c>), in the schema its search path names. Replaces any
    /// metadata store registered before.
    /// </summary>
    public static IMlOpsBuilder UsePostgreSql(this IMlOpsBuilder builder) => builder.UsePostgreSql(static _ => { });

    /// <summary>
    /// Keeps all MlOps.Sdk metadata in PostgreSQL: the database of <see cref="PostgreSqlStoreOptions.ConnectionString"/>,
    /// or, when it is null, of the <see cref="NpgsqlDataSource"/> registered in the container. Replaces any metadata
    /// store registered before.
    /// </summary>
    public static IMlOpsBuilder UsePostgreSql(this IMlOpsBuilder builder, Action<PostgreSqlStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<PostgreSqlStoreOptions>().ValidateOnStart().Configure(configure);

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlStoreOptions>, PostgreSqlStoreOptionsValidator>());
        services.AddResiliencePipelineRegistry<string>();
        services.TryAddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value;
            var transient = ResiliencePipelines.Resolve(sp, MlOpsResiliencePipelines.PostgreSqlTransient, DefaultTransientPipeline);
            if (settings.ConnectionString is null)
            {
                var hosts = sp.GetService<NpgsqlDataSource>()
                    ?? throw new MlOpsException("UsePostgreSql needs a connection string (PostgreSqlStoreOptions.ConnectionString) or an NpgsqlDataSource registered in the container.");
                return new PostgreSqlDatabase(hosts, ownsDataSource: false, schema: null, transient);
            }

            var connection = new NpgsqlConnectionStringBuilder(settings.ConnectionString) { SearchPath = settings.Schema };
            if (connection.MaxAutoPrepare == 0)
            {
                // The store's statements are few and repeat (a search's shape, a page's data loads): prepared once per
                // connection, they skip parsing and, once PostgreSQL settles on a generic plan, planning.
                connection.MaxAutoPrepare = 64;
            }

            return new PostgreSqlDatabase(NpgsqlDataSource.Create(connection), ownsDataSource: true, settings.Schema, transient);
        });
        services.Replace(ServiceDescriptor.Singleton<TrackingStore>(sp => new PostgreSqlTrackingStore(sp.GetRequiredService<PostgreSqlDatabase>(), sp.GetRequiredService<TimeProvider>())));
        services.Replace(ServiceDescriptor.Singleton<ModelRegistryStore>(sp => new PostgreSqlModelRegistryStore(sp.GetRequiredService<PostgreSqlDatabase>())));
        services.Replace(ServiceDescriptor.Singleton<DatasetStore>(sp => new PostgreSqlDatasetStore(sp.GetRequiredService<PostgreSqlDatabase>())));
        services.Replace(ServiceDescriptor.Singleton<StateStore>(sp => new PostgreSqlStateStore(sp.GetRequiredService<PostgreSqlDatabase>(), sp.GetRequiredService<TimeProvider>())));
        return builder;
    }

    /// <summary>
    /// Retries what Npgsql reports transient — a lost or refused connection, a terminated backend, a server shutting down
    /// or starting, a serialization failure, a deadlock — with the whole transaction, which rolled back.
    /// </summary>
    private static void DefaultTransientPipeline(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions
    {
        ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(e => e.IsTransient),
        MaxRetryAttempts = 8,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = TimeSpan.FromMilliseconds(100),
        MaxDelay = TimeSpan.FromSeconds(5),
    });
}
