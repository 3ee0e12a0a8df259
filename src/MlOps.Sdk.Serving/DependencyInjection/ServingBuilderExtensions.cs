using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Sdk;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Serving.DependencyInjection;
using MlOps.Sdk.Serving.Hosting;
using MlOps.Sdk.Versioning;
using Polly;
using Polly.Retry;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers model hosts.</summary>
public static class ServingBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="ModelHost{TIn, TOut}"/> for the registered model <paramref name="name"/>, resolved as a keyed
    /// service under that name (and unkeyed when it is the only host of these types). A hosted service loads it on start,
    /// and a health check named <c>mlops-model-{name}</c> (tags <c>mlops</c>, <c>model</c>) reports whether it serves.
    /// The options are the named <see cref="ModelHostOptions"/> <paramref name="name"/>, validated when the host starts;
    /// calling this again for the same name and types adds to them, and registers nothing twice.
    /// </summary>
    /// <exception cref="InvalidOperationException">A host of other types is already registered under <paramref name="name"/>.</exception>
    public static IMlOpsBuilder AddModelHost<TIn, TOut>(this IMlOpsBuilder builder, string name, Action<ModelHostOptions> configure)
        where TOut : new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<ModelHostOptions>(name).Configure(configure).ValidateOnStart();
        var registered = services.Select(d => d.ImplementationInstance).OfType<ModelHostRegistration>().FirstOrDefault(r => r.Name == name);
        if (registered is not null)
        {
            return registered.Input == typeof(TIn) && registered.Output == typeof(TOut)
                ? builder
                : throw new InvalidOperationException(
                    $"A model host named '{name}' is already registered for {registered.Input.Name} -> {registered.Output.Name}; give this one another name.");
        }

        services.AddSingleton(new ModelHostRegistration(name, typeof(TIn), typeof(TOut)));
        AddServing(services);
        services.AddKeyedSingleton<ModelHost<TIn, TOut>>(name, (sp, _) => new OnnxModelHost<TIn, TOut>(
            name,
            sp.GetRequiredService<IOptionsMonitor<ModelHostOptions>>().Get(name),
            new HostServices(
                sp.GetRequiredService<ModelRegistry>(),
                sp.GetRequiredService<IOptions<ServingOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger($"MlOps.Sdk.Serving.ModelHost.{name}"),
                sp.GetRequiredService<ServingTelemetry>(),
                ResiliencePipelines.Resolve(sp, MlOpsResiliencePipelines.ModelLoad, DefaultLoadPipeline))));
        services.TryAddSingleton(sp => sp.GetRequiredKeyedService<ModelHost<TIn, TOut>>(name));
        services.AddSingleton<IHostedService>(sp => new ModelHostStarter(sp.GetRequiredKeyedService<ModelHost<TIn, TOut>>(name).StartAsync));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            $"mlops-model-{name}",
            sp => new ModelHostHealthCheck((OnnxModelHost<TIn, TOut>)sp.GetRequiredKeyedService<ModelHost<TIn, TOut>>(name)),
            failureStatus: null,
            tags: ["mlops", "model"]));
        return builder;
    }

    /// <summary>What every host shares: options, meters and the load pipeline, registered once.</summary>
    private static void AddServing(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(ServingTelemetry)))
        {
            return;
        }

        services.AddOptions<ServingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServingOptions>, ServingOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelHostOptions>, ModelHostOptionsValidator>());
        services.TryAddSingleton<ServingTelemetry>();
        services.AddResiliencePipelineRegistry<string>();
    }

    private static void DefaultLoadPipeline(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions
    {
        MaxRetryAttempts = 4,
        Delay = TimeSpan.FromMilliseconds(200),
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
    });

    private static bool IsTransient(Exception error) => error switch
    {
        MlOpsException or OperationCanceledException => false,
        System.Data.Common.DbException db => db.IsTransient,
        IOException or TimeoutException or System.Net.Http.HttpRequestException or System.Net.Sockets.SocketException => true,
        _ => false,
    };

    /// <summary>Marks a host name as taken, by the types it serves.</summary>
    private sealed record ModelHostRegistration(string Name, Type Input, Type Output);

    private sealed class ModelHostStarter(Func<CancellationToken, Task> start) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => start(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
