using Microsoft.Extensions.Hosting;
using MlOps.Sdk.Tracking.Writing;

namespace MlOps.Sdk.Tracking.DependencyInjection;

/// <summary>Starts the writer with the host and makes everything logged durable when the host stops.</summary>
internal sealed class TrackingFlushService(TrackingWriter writer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        writer.EnsureStarted();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken);
}
