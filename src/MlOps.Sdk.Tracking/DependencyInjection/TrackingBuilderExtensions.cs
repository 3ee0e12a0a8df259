using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Sdk;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.DependencyInjection;
using MlOps.Sdk.Tracking.Storage;
using MlOps.Sdk.Tracking.Writing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Tracking layer.</summary>
public static class TrackingBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="ExperimentTracker"/>, its background writer and a hosted service that flushes on shutdown.
    /// A storage provider must supply the <see cref="TrackingStore"/>: <c>.UseSqlite()</c> for the embedded default.
    /// </summary>
    public static IMlOpsBuilder AddTracking(this IMlOpsBuilder builder, Action<TrackingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<TrackingOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TrackingOptions>, TrackingOptionsValidator>());
        services.TryAddSingleton<TrackingTelemetry>();
        services.TryAddSingleton(sp => new TrackingWriter(
            sp.GetService<TrackingStore>() ?? throw new MlOpsException(
                "No tracking store is registered. Add a storage provider: .UseSqlite() (embedded, MlOps.Sdk.Storage.Sqlite) or .UseInMemoryStores() (MlOps.Sdk.Testing)."),
            sp.GetRequiredService<IOptions<TrackingOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<TrackingTelemetry>(),
            sp.GetRequiredService<ILogger<TrackingWriter>>()));
        services.TryAddSingleton<ExperimentTracker>(sp => new DefaultExperimentTracker(sp.GetRequiredService<TrackingWriter>(), sp.GetRequiredService<ArtifactStore>(), sp.GetRequiredService<IActorIdentity>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TrackingFlushService>());
        return builder;
    }
}
