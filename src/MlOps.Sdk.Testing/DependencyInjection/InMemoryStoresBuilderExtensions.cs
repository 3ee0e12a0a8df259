using Microsoft.Extensions.DependencyInjection.Extensions;
using MlOps.Sdk;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Testing.Artifacts;
using MlOps.Sdk.Testing.Tracking;
using MlOps.Sdk.Testing.Versioning;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Storage;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers in-memory stores for unit tests.</summary>
public static class InMemoryStoresBuilderExtensions
{
    /// <summary>Replaces the metadata and artifact stores with in-memory ones that vanish with the service provider.</summary>
    public static IMlOpsBuilder UseInMemoryStores(this IMlOpsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<ArtifactStore>(sp => new InMemoryArtifactStore(sp.GetRequiredService<TimeProvider>())));
        builder.Services.Replace(ServiceDescriptor.Singleton<TrackingStore>(sp => new InMemoryTrackingStore(sp.GetRequiredService<TimeProvider>())));
        builder.Services.TryAddSingleton<InMemoryAuditLog>();
        builder.Services.Replace(ServiceDescriptor.Singleton<ModelRegistryStore>(sp => new InMemoryModelRegistryStore(sp.GetRequiredService<InMemoryAuditLog>())));
        builder.Services.Replace(ServiceDescriptor.Singleton<DatasetStore>(sp => new InMemoryDatasetStore(sp.GetRequiredService<InMemoryAuditLog>())));
        builder.Services.Replace(ServiceDescriptor.Singleton<MlOps.Sdk.State.StateStore, MlOps.Sdk.Testing.State.InMemoryStateStore>());
        return builder;
    }
}
