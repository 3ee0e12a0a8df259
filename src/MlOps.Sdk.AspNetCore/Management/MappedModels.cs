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

/// <summary>A monitor as the management API sees it: its last report, its firing alerts and its last windows.</summary>
internal sealed class MonitorView
{
    public const int History = 100;

    private readonly ConcurrentQueue<DriftWindow> _windows = new();
    private readonly Func<DriftReport?> _last;
    private readonly Func<IReadOnlyList<string>> _firing;
    private readonly TimeProvider _time;

    public MonitorView(Func<DriftReport?> last, Func<IReadOnlyList<string>> firing, TimeProvider time)
    {
        (_last, _firing, _time) = (last, firing, time);
    }

    public DriftReport? LastReport => _last();

    public IReadOnlyList<string> Firing => _firing();

    public IReadOnlyList<DriftWindow> Windows => [.. _windows];

    /// <summary>Subscribed to the monitor's <c>WindowClosed</c>: cheap, and cannot throw.</summary>
    public void OnWindowClosed(object? sender, DriftReport report)
    {
        _windows.Enqueue(new DriftWindow(_time.GetUtcNow(), report.Rows, report.DriftedShare, report.DatasetDrifted,
            [.. report.Features.Select(f => new FeatureVerdict(f.Feature, f.Test, f.Score, f.Threshold, f.IsPValue, f.Drifted))]));
        while (_windows.Count > History && _windows.TryDequeue(out _))
        {
        }
    }
}

/// <summary>
/// The typed hosts and monitors <c>MapModel</c> has seen, by name, for the management API (which knows no types);
/// untyped hosts it resolves itself.
/// </summary>
internal sealed class MappedModels(TimeProvider? time = null)
{
    private readonly ConcurrentDictionary<string, HostControl> _hosts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MonitorView> _monitors = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => [.. _hosts.Keys];

    public void Add<TIn, TOut>(string name, ModelHost<TIn, TOut> host, ModelMonitor<TIn, TOut>? monitor)
        where TOut : new()
    {
        _hosts[name] = HostControl.Of(host);
        if (monitor is not null && !_monitors.ContainsKey(name))
        {
            var view = new MonitorView(() => monitor.LastReport, () => monitor.Alerts.Firing, time ?? TimeProvider.System);
            if (_monitors.TryAdd(name, view))
            {
                monitor.WindowClosed += view.OnWindowClosed;
            }
        }
    }

    public HostControl? Host(string name, IServiceProvider services) =>
        _hosts.TryGetValue(name, out var control) ? control
        : services.GetKeyedService<ModelHost>(name) is { } untyped ? HostControl.Of(untyped)
        : null;

    public MonitorView? Monitor(string name) => _monitors.GetValueOrDefault(name);
}
