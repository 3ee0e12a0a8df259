using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Monitoring;
using MlOps.Sdk.Serving;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.AspNetCore.Management;

/// <summary>What the management API can do to a model host, whatever its types.</summary>
internal sealed record HostControl(
    Func<ModelVersion?> Current,
    Func<int, CancellationToken, Task<bool>> Pin,
    Func<CancellationToken, Task> Unpin,
    Func<CancellationToken, Task<bool>> Rollback)
{
    public static HostControl Of<TIn, TOut>(ModelHost<TIn, TOut> host)
        where TOut : new() =>
        new(() => host.CurrentVersion, host.PinAsync, host.UnpinAsync, host.RollbackAsync);
}

/// <summary>A monitor as the management API sees it: its last report, its firing alerts and the last windows of its history.</summary>
internal sealed class MonitorView(Func<DriftReport?> last, Func<IReadOnlyList<string>> firing, DriftHistory history)
{
    /// <summary>The most windows the production page shows.</summary>
    public const int History = 100;

    public DriftReport? LastReport => last();

    public IReadOnlyList<string> Firing => firing();

    /// <summary>The last windows of the monitor's history (kept in the state store, so they outlive a restart), oldest first.</summary>
    public IReadOnlyList<DriftWindow> Windows => [.. history.Windows.TakeLast(History)];

    /// <summary>The last windows of estimated (and realised) performance in the monitor's history, oldest first.</summary>
    public IReadOnlyList<PerformanceWindow> Performance => [.. history.Performance.TakeLast(History)];
}

/// <summary>
/// The typed hosts and monitors <c>MapModel</c> has seen, by name, for the management API (which knows no types);
/// untyped hosts it resolves itself.
/// </summary>
internal sealed class MappedModels
{
    private readonly ConcurrentDictionary<string, HostControl> _hosts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MonitorView> _monitors = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => [.. _hosts.Keys];

    public void Add<TIn, TOut>(string name, ModelHost<TIn, TOut> host, ModelMonitor<TIn, TOut>? monitor)
        where TOut : new()
    {
        _hosts[name] = HostControl.Of(host);
        if (monitor is not null)
        {
            _monitors.TryAdd(name, new MonitorView(() => monitor.LastReport, () => monitor.Alerts.Firing, monitor.History));
        }
    }

    public HostControl? Host(string name, IServiceProvider services) =>
        _hosts.TryGetValue(name, out var control) ? control
        : services.GetKeyedService<ModelHost>(name) is { } untyped ? HostControl.Of(untyped)
        : null;

    public MonitorView? Monitor(string name) => _monitors.GetValueOrDefault(name);
}
