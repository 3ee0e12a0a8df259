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
using Polly;
using Polly.Retry;

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
        services.AddResiliencePipelineRegistry<string>();

        services.TryAddSingleton<TrackingTelemetry>();
        services.TryAddSingleton(sp => new TrackingWriter(
            sp.GetService<TrackingStore>() ?? throw new MlOpsException(
                "No tracking store is registered. Add a storage provider: .UseSqlite() (embedded, MlOps.Sdk.Storage.Sqlite) or .UseInMemoryStores() (MlOps.Sdk.Testing)."),
            ResiliencePipelines.Resolve(sp, MlOpsResiliencePipelines.TrackingWrite, DefaultWritePipeline),
            sp.GetRequiredService<IOptions<TrackingOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<TrackingTelemetry>(),
            sp.GetRequiredService<ILogger<TrackingWriter>>()));
        services.TryAddSingleton<ExperimentTracker>(sp => new DefaultExperimentTracker(sp.GetRequiredService<TrackingWriter>(), sp.GetRequiredService<ArtifactStore>(), sp.GetRequiredService<IActorIdentity>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TrackingFlushService>());
        return builder;
    }

    /// <summary>Every failure but a rejection is retried until the host stops: acknowledged data survives an outage.</summary>
    private static void DefaultWritePipeline(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions
    {
        MaxRetryAttempts = int.MaxValue,
        Delay = TimeSpan.FromMilliseconds(50),
        MaxDelay = TimeSpan.FromSeconds(5),
        BackoffType = DelayBackoffType.Exponential,
        ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not MlOpsException and not OperationCanceledException),
    });
}
