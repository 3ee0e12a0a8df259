using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Sdk;
using MlOps.Sdk.Monitoring;
using MlOps.Sdk.Monitoring.DependencyInjection;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Tracking;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers model monitors.</summary>
public static class MonitoringBuilderExtensions
{
    /// <summary>
    /// Monitors the model host <paramref name="name"/> (add it with <c>AddModelHost</c>): a <see cref="ModelMonitor{TIn, TOut}"/>
    /// resolved as a keyed service under that name, started with the host by a hosted service. It compares live inputs
    /// with the reference profile of the serving version (logged with its training run) and calls the registered
    /// <see cref="IRetrainHook{TIn}"/>, if any, when an alert fires. Needs <c>AddTracking()</c>.
    /// </summary>
    /// <remarks>
    /// The options are the named <see cref="ModelMonitorOptions"/> <paramref name="name"/>, validated when the host starts;
    /// calling this again for the same name and types adds to them, and registers nothing twice.
    /// </remarks>
    /// <exception cref="InvalidOperationException">A monitor of other types is already registered under <paramref name="name"/>.</exception>
    public static IMlOpsBuilder AddMonitoring<TIn, TOut>(this IMlOpsBuilder builder, string name, Action<ModelMonitorOptions>? configure = null)
        where TOut : new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var services = builder.Services;
        var options = services.AddOptions<ModelMonitorOptions>(name).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelMonitorOptions>, ModelMonitorOptionsValidator>());
        var registered = services.Select(d => d.ImplementationInstance).OfType<MonitorRegistration>().FirstOrDefault(r => r.Name == name);
        if (registered is not null)
        {
            return registered.Input == typeof(TIn) && registered.Output == typeof(TOut)
                ? builder
                : throw new InvalidOperationException(
                    $"A model monitor named '{name}' is already registered for {registered.Input.Name} -> {registered.Output.Name}.");
        }

        services.AddSingleton(new MonitorRegistration(name, typeof(TIn), typeof(TOut)));
        services.AddKeyedSingleton(name, (sp, _) => new ModelMonitor<TIn, TOut>(
            sp.GetRequiredKeyedService<ModelHost<TIn, TOut>>(name),
            sp.GetRequiredService<ExperimentTracker>(),
            sp.GetRequiredService<IOptionsMonitor<ModelMonitorOptions>>().Get(name),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<IMeterFactory>(),
            sp.GetService<IRetrainHook<TIn>>(),
            sp.GetService<MlOps.Sdk.State.StateStore>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger($"MlOps.Sdk.Monitoring.ModelMonitor.{name}")));
        services.AddSingleton<IHostedService>(sp => new Starter<TIn, TOut>(sp.GetRequiredKeyedService<ModelMonitor<TIn, TOut>>(name)));
        return builder;
    }

    /// <summary>Marks a monitor name as taken, by the types it watches.</summary>
    private sealed record MonitorRegistration(string Name, Type Input, Type Output);

    /// <summary>Starts the monitor with the host, and saves its open window when the host stops.</summary>
    private sealed class Starter<TIn, TOut>(ModelMonitor<TIn, TOut> monitor) : IHostedService
        where TOut : new()
    {
        public Task StartAsync(CancellationToken cancellationToken) => monitor.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => monitor.CheckpointAsync(cancellationToken);
    }
}
