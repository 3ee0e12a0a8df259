using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MlOps.Sdk.Tracking.Writing;

namespace MlOps.Sdk.Tracking.DependencyInjection;

/// <summary>Starts the writer with the host; when the host stops, makes everything logged durable and ends the runs left open.</summary>
internal sealed class TrackingFlushService(TrackingWriter writer, IOptions<TrackingOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        writer.EnsureStarted();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (options.Value.EndRunsOnStop)
        {
            await writer.EndOpenRunsAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
