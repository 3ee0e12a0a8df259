using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MlOps.Sdk;
using MlOps.Sdk.Monitoring;
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
    public static IMlOpsBuilder AddMonitoring<TIn, TOut>(this IMlOpsBuilder builder, string name, Action<ModelMonitorOptions>? configure = null)
        where TOut : new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = new ModelMonitorOptions();
        configure?.Invoke(options);
        options.Drift.Validate();
        builder.Services.AddKeyedSingleton(name, (sp, _) => new ModelMonitor<TIn, TOut>(
            sp.GetRequiredKeyedService<ModelHost<TIn, TOut>>(name),
            sp.GetRequiredService<ExperimentTracker>(),
            options,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<IMeterFactory>(),
            sp.GetService<IRetrainHook<TIn>>(),
            sp.GetService<MlOps.Sdk.State.StateStore>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger($"MlOps.Sdk.Monitoring.ModelMonitor.{name}")));
        builder.Services.AddSingleton<IHostedService>(sp => new Starter<TIn, TOut>(sp.GetRequiredKeyedService<ModelMonitor<TIn, TOut>>(name)));
        return builder;
    }

    /// <summary>Starts the monitor with the host, and saves its open window when the host stops.</summary>
    private sealed class Starter<TIn, TOut>(ModelMonitor<TIn, TOut> monitor) : IHostedService
        where TOut : new()
    {
        public Task StartAsync(CancellationToken cancellationToken) => monitor.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => monitor.CheckpointAsync(cancellationToken);
    }
}
