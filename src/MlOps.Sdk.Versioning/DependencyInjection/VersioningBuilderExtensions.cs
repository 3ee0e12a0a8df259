using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlOps.Sdk;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Storage;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Collection;
using MlOps.Sdk.Versioning.Datasets;
using MlOps.Sdk.Versioning.DependencyInjection;
using MlOps.Sdk.Versioning.Lineage;
using MlOps.Sdk.Versioning.Registry;
using MlOps.Sdk.Versioning.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Versioning layer.</summary>
public static class VersioningBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="ModelRegistry"/> and <see cref="ILineage"/>. The acting identity defaults to the OS user; register an
    /// <see cref="IActorIdentity"/> of your own to record authenticated users. A storage provider supplies the store.
    /// </summary>
    public static IMlOpsBuilder AddModelRegistry(this IMlOpsBuilder builder, Action<ModelRegistryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<ModelRegistryOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        AddShared(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelRegistryOptions>, ModelRegistryOptionsValidator>());
        services.TryAddSingleton<ModelRegistry>(sp => new DefaultModelRegistry(
            RequireStore<ModelRegistryStore>(sp),
            sp.GetRequiredService<ArtifactStore>(),
            sp.GetService<ExperimentTracker>(),
            sp.GetRequiredService<IActorIdentity>(),
            sp.GetRequiredService<IOptions<ModelRegistryOptions>>().Value,
            sp.GetRequiredService<VersioningTelemetry>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("MlOps.Sdk.Versioning.ModelRegistry")));
        services.TryAddSingleton<ILineage>(sp => new LineageQueries(RequireStore<ModelRegistryStore>(sp), sp.GetService<DatasetStore>(), sp.GetService<ExperimentTracker>()));
        return builder;
    }

    /// <summary>Adds <see cref="IDatasetRegistry"/>: dataset snapshots stored by content in the artifact store.</summary>
    public static IMlOpsBuilder AddDatasets(this IMlOpsBuilder builder, Action<DatasetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<DatasetOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        AddShared(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DatasetOptions>, DatasetOptionsValidator>());
        services.TryAddSingleton<IDatasetRegistry>(sp =>
        {
            var datasetOptions = sp.GetRequiredService<IOptions<DatasetOptions>>().Value;
            var root = sp.GetRequiredService<IOptions<MlOpsOptions>>().Value.RootDirectory;
            return new DatasetRegistry(
                RequireStore<DatasetStore>(sp),
                sp.GetRequiredService<ArtifactStore>(),
                sp.GetRequiredService<IActorIdentity>(),
                datasetOptions,
                Path.GetFullPath(datasetOptions.StateCachePath ?? Path.Combine(root, "cache", "dataset-state.json")),
                sp.GetRequiredService<VersioningTelemetry>(),
                sp.GetRequiredService<TimeProvider>());
        });
        return builder;
    }

    private static void AddShared(IServiceCollection services)
    {
        services.TryAddSingleton<VersioningTelemetry>();
        services.TryAddSingleton(sp => new ArtifactGarbageCollector(
            sp.GetRequiredService<ArtifactStore>(),
            RequireStore<TrackingStore>(sp),
            RequireStore<ModelRegistryStore>(sp),
            RequireStore<DatasetStore>(sp),
            sp.GetRequiredService<TimeProvider>()));
    }

    private static T RequireStore<T>(IServiceProvider services)
        where T : class =>
        services.GetService<T>() ?? throw new MlOpsException(
            $"No {typeof(T).Name} is registered. Add a storage provider: .UseSqlite() (embedded, MlOps.Sdk.Storage.Sqlite) or .UseInMemoryStores() (MlOps.Sdk.Testing).");
}
