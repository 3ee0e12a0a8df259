using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Sdk;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Serving.Hosting;
using MlOps.Sdk.Versioning;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers model hosts.</summary>
public static class ServingBuilderExtensions
{
    /// <summary>
    /// Adds an <see cref="ModelHost{TIn, TOut}"/> for the registered model <paramref name="name"/>, resolved as a keyed
    /// service under that name (and unkeyed when it is the only host of these types). A hosted service loads it on start,
    /// and a health check named <c>mlops-model-{name}</c> (tags <c>mlops</c>, <c>model</c>) reports whether it serves.
    /// </summary>
    public static IMlOpsBuilder AddModelHost<TIn, TOut>(this IMlOpsBuilder builder, string name, Action<ModelHostOptions> configure)
        where TOut : new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        var hostOptions = new ModelHostOptions();
        configure(hostOptions);
        if (hostOptions.Alias is null && hostOptions.PinnedVersion is null)
        {
            throw new ArgumentException($"Model host '{name}' must FollowAlias(...) or PinVersion(...).", nameof(configure));
        }

        var services = builder.Services;
        services.AddOptions<ServingOptions>();
        services.TryAddSingleton<ServingTelemetry>();
        services.AddKeyedSingleton<ModelHost<TIn, TOut>>(name, (sp, _) => new OnnxModelHost<TIn, TOut>(
            name,
            sp.GetRequiredService<ModelRegistry>(),
            sp.GetRequiredService<IOptions<ServingOptions>>().Value,
            hostOptions,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger($"MlOps.Sdk.Serving.ModelHost.{name}"),
            sp.GetRequiredService<ServingTelemetry>()));
        services.TryAddSingleton(sp => sp.GetRequiredKeyedService<ModelHost<TIn, TOut>>(name));
        services.AddSingleton<IHostedService>(sp => new ModelHostStarter(sp.GetRequiredKeyedService<ModelHost<TIn, TOut>>(name).StartAsync));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            $"mlops-model-{name}",
            sp => new ModelHostHealthCheck((OnnxModelHost<TIn, TOut>)sp.GetRequiredKeyedService<ModelHost<TIn, TOut>>(name)),
            failureStatus: null,
            tags: ["mlops", "model"]));
        return builder;
    }

    private sealed class ModelHostStarter(Func<CancellationToken, Task> start) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => start(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
