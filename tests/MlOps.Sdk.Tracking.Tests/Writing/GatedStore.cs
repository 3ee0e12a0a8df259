using MlOps.Sdk.Testing.Tracking;
using MlOps.Sdk.Tracking.Storage;

namespace MlOps.Sdk.Tracking.Tests.Writing;

/// <summary>
/// An in-memory store whose writes can be held back or made to fail: stands in for a slow or broken database,
/// which cannot be produced on demand with a real one.
/// </summary>
internal sealed class GatedStore(TimeProvider time) : DelegatingTrackingStore(new InMemoryTrackingStore(time))
{
    private TaskCompletionSource _gate = CreateOpen();

    public int FailuresToInject { get; set; }

    public int Attempts { get; private set; }

    public void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _gate.TrySetResult();

    public override async Task<TrackingWriteResult> WriteAsync(TrackingWriteBatch batch, CancellationToken cancellationToken = default)
    {
        Attempts++;
        await _gate.Task.WaitAsync(cancellationToken);
        if (FailuresToInject > 0)
        {
            FailuresToInject--;
            throw new IOException("disk I/O error (injected)");
        }

        return await Inner.WriteAsync(batch, cancellationToken);
    }

    public override Task EndRunAsync(string runId, RunStatus status, DateTimeOffset endTime, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Inner.EndRunAsync(runId, status, endTime, cancellationToken);
    }

    private static TaskCompletionSource CreateOpen()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}
