using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlOps.Sdk.Serving.Hosting;

/// <summary>Healthy while a version serves; degraded when the last version tried failed (the one before still serves); unhealthy with nothing loaded.</summary>
internal sealed class ModelHostHealthCheck(IModelHostState host) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var serving = host.CurrentVersion;
        var failure = host.LastLoadFailure;
        var result = (serving, failure) switch
        {
            (null, null) => HealthCheckResult.Unhealthy($"Model host '{host.Name}' has no version loaded."),
            (null, { } f) => HealthCheckResult.Unhealthy($"Model host '{host.Name}' has no version loaded: {f.Version.Reference} failed at {f.Stage}.", f.Error),
            ({ } v, { } f) => HealthCheckResult.Degraded($"Model host '{host.Name}' serves {v.Reference}; {f.Version.Reference} failed at {f.Stage}.", f.Error),
            ({ } v, null) => HealthCheckResult.Healthy($"Model host '{host.Name}' serves {v.Reference}."),
        };
        return Task.FromResult(result);
    }
}

/// <summary>What a health check reads of a host, and how the hosted service starts it.</summary>
internal interface IModelHostState
{
    Task StartAsync(CancellationToken cancellationToken);

    string Name { get; }

    Versioning.ModelVersion? CurrentVersion { get; }

    ModelLoadFailure? LastLoadFailure { get; }
}
