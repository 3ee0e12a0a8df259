using MlOps.Sdk;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers MlOps.Sdk with a service collection.</summary>
public static class MlOpsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the MlOps.Sdk core services: options, the system <see cref="TimeProvider"/> (unless one is registered),
    /// logging, metrics and the local content-addressed <see cref="ArtifactStore"/> under <c>.mlops/artifacts</c>.
    /// Safe to call more than once.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes to the default options.</param>
    /// <returns>A builder to add layers (<c>.AddTracking()</c>) and storage providers (<c>.UseSqlite()</c>).</returns>
    public static IMlOpsBuilder AddMlOps(this IServiceCollection services, Action<MlOpsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MlOpsOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MlOpsOptions>, MlOpsOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MlOpsOptions>, RootDirectoryValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IActorIdentity, OperatingSystemIdentity>();
        services.AddLogging();
        services.AddMetrics();
        services.TryAddSingleton<ArtifactStore>(sp => new LocalArtifactStore(
            sp.GetRequiredService<IOptions<MlOpsOptions>>().Value.ResolveArtifactsDirectory(),
            sp.GetRequiredService<TimeProvider>()));
        return new MlOpsBuilder(services);
    }
}
