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

/// <summary>
/// The typed hosts and monitors <c>MapModel</c> has seen, by name, for the management API (which knows no types);
/// untyped hosts it resolves itself.
/// </summary>
internal sealed class MappedModels
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, HostControl> _hosts = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Func<DriftReport?>> _reports = new(StringComparer.Ordinal);

    public void Add<TIn, TOut>(string name, ModelHost<TIn, TOut> host, ModelMonitor<TIn, TOut>? monitor)
        where TOut : new()
    {
        _hosts[name] = HostControl.Of(host);
        if (monitor is not null)
        {
            _reports[name] = () => monitor.LastReport;
        }
    }

    public HostControl? Host(string name, IServiceProvider services) =>
        _hosts.TryGetValue(name, out var control) ? control
        : Microsoft.Extensions.DependencyInjection.ServiceProviderKeyedServiceExtensions.GetKeyedService<ModelHost>(services, name) is { } untyped ? HostControl.Of(untyped)
        : null;

    public bool TryGetReport(string name, out DriftReport? report)
    {
        report = null;
        if (!_reports.TryGetValue(name, out var read))
        {
            return false;
        }

        report = read();
        return true;
    }
}
