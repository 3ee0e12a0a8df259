using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlOps.Sdk;
using MlOps.Sdk.Storage.Sqlite;
using MlOps.Sdk.Storage.Sqlite.DependencyInjection;
using MlOps.Sdk.Storage.Sqlite.Tracking;
using MlOps.Sdk.Storage.Sqlite.Versioning;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Storage;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Storage;
using Polly;
using Polly.Retry;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the embedded SQLite metadata store.</summary>
public static class SqliteBuilderExtensions
{
    /// <summary>
    /// Keeps all MlOps.Sdk metadata in one SQLite file (<c>mlops.db</c> under the root directory unless
    /// <see cref="SqliteStoreOptions.DatabasePath"/> says otherwise). Replaces any metadata store registered before.
    /// </summary>
    public static IMlOpsBuilder UseSqlite(this IMlOpsBuilder builder, Action<SqliteStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<SqliteStoreOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteStoreOptions>, SqliteStoreOptionsValidator>());
        services.TryAddSingleton(sp =>
        {
            var sqlite = sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value;
            var root = sp.GetRequiredService<IOptions<MlOpsOptions>>().Value.RootDirectory;
            var busyRetry = ResiliencePipelines.Resolve(sp, MlOpsResiliencePipelines.SqliteBusy, DefaultBusyPipeline);
            return new SqliteDatabase(sqlite.DatabasePath ?? Path.Combine(root, "mlops.db"), sqlite, busyRetry);
        });
        services.AddResiliencePipelineRegistry<string>();
        services.Replace(ServiceDescriptor.Singleton<TrackingStore>(sp => new SqliteTrackingStore(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<TimeProvider>())));
        services.Replace(ServiceDescriptor.Singleton<ModelRegistryStore>(sp => new SqliteModelRegistryStore(sp.GetRequiredService<SqliteDatabase>())));
        services.Replace(ServiceDescriptor.Singleton<DatasetStore>(sp => new SqliteDatasetStore(sp.GetRequiredService<SqliteDatabase>())));
        services.Replace(ServiceDescriptor.Singleton<MlOps.Sdk.State.StateStore>(sp => new MlOps.Sdk.Storage.Sqlite.State.SqliteStateStore(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<TimeProvider>())));
        return builder;
    }

    /// <summary>
    /// The busy timeout already waits inside SQLite; this covers what it cannot (SQLITE_BUSY on BEGIN IMMEDIATE after the
    /// wait, SQLITE_LOCKED), retrying the whole transaction, which rolled back.
    /// </summary>
    private static void DefaultBusyPipeline(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions
    {
        ShouldHandle = new PredicateBuilder().Handle<SqliteException>(e => e.SqliteErrorCode is 5 or 6),
        MaxRetryAttempts = 5,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = TimeSpan.FromMilliseconds(50),
    });
}
