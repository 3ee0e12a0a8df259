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
        if (typeof(TIn) == typeof(NamedTensors) && typeof(TOut) == typeof(NamedTensors))
        {
            return builder.AddModelHost(name, configure);
        }

        return AddHost<ModelHost<TIn, TOut>, OnnxModelHost<TIn, TOut>>(builder, name, configure, typeof(TIn), typeof(TOut), (options, services) => new(name, options, services));
    }

    /// <summary>
    /// Adds an untyped <see cref="ModelHost"/> for the registered model <paramref name="name"/>: named tensors in, every
    /// output out, for models whose signature is known only at run time. It is resolved as a keyed <see cref="ModelHost"/>
    /// (and <see cref="ModelHost{TIn, TOut}"/> of <see cref="NamedTensors"/>) under that name, and otherwise registered,
    /// started, configured and checked as <see cref="AddModelHost{TIn, TOut}"/> says.
    /// </summary>
    /// <exception cref="InvalidOperationException">A typed host is already registered under <paramref name="name"/>.</exception>
    public static IMlOpsBuilder AddModelHost(this IMlOpsBuilder builder, string name, Action<ModelHostOptions> configure)
    {
        AddHost<ModelHost, OnnxNamedModelHost>(builder, name, configure, typeof(NamedTensors), typeof(NamedTensors), (options, services) => new(name, options, services));
        if (!builder.Services.Any(d => d.ServiceType == typeof(ModelHost<NamedTensors, NamedTensors>) && Equals(d.ServiceKey, name)))
        {
            builder.Services.AddKeyedSingleton<ModelHost<NamedTensors, NamedTensors>>(name, (sp, key) => sp.GetRequiredKeyedService<ModelHost>(key));
        }

        return builder;
    }

    private static IMlOpsBuilder AddHost<THost, TImplementation>(
        IMlOpsBuilder builder,
        string name,
        Action<ModelHostOptions> configure,
        Type input,
        Type output,
        Func<ModelHostOptions, HostServices, TImplementation> create)
        where THost : class
        where TImplementation : THost, IModelHostState
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<ModelHostOptions>(name).Configure(configure).ValidateOnStart();
        var registered = services.Select(d => d.ImplementationInstance).OfType<ModelHostRegistration>().FirstOrDefault(r => r.Name == name);
        if (registered is not null)
        {
            return registered.Input == input && registered.Output == output
                ? builder
                : throw new InvalidOperationException(
                    $"A model host named '{name}' is already registered for {registered.Input.Name} -> {registered.Output.Name}; give this one another name.");
        }

        services.AddSingleton(new ModelHostRegistration(name, input, output));
        AddServing(services);
        services.AddKeyedSingleton<THost>(name, (sp, _) => create(
            sp.GetRequiredService<IOptionsMonitor<ModelHostOptions>>().Get(name),
            new HostServices(
                sp.GetRequiredService<ModelRegistry>(),
                sp.GetRequiredService<IOptions<ServingOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger($"MlOps.Sdk.Serving.ModelHost.{name}"),
                sp.GetRequiredService<ServingTelemetry>(),
                ResiliencePipelines.Resolve(sp, MlOpsResiliencePipelines.ModelLoad, DefaultLoadPipeline))));
        services.TryAddSingleton(sp => sp.GetRequiredKeyedService<THost>(name));
        services.AddSingleton<IHostedService>(sp => new ModelHostStarter(((IModelHostState)sp.GetRequiredKeyedService<THost>(name)).StartAsync));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            $"mlops-model-{name}",
            sp => new ModelHostHealthCheck((IModelHostState)sp.GetRequiredKeyedService<THost>(name)),
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
