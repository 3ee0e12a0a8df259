using MlOps.Sdk.Testing.Tracking;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Storage;

namespace MlOps.Sdk.Benchmarks;

/// <summary>Keeps runs and experiments in memory and throws metric points away, so a hot-path benchmark does not measure storage.</summary>
internal sealed class DiscardingTrackingStore(TimeProvider time) : DelegatingTrackingStore(new InMemoryTrackingStore(time))
{
    public override Task<TrackingWriteResult> WriteAsync(TrackingWriteBatch batch, CancellationToken cancellationToken = default) =>
        Task.FromResult(TrackingWriteResult.Success);
}
