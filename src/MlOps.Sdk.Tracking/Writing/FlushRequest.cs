namespace MlOps.Sdk.Tracking.Writing;

/// <summary>A caller waiting until the first <see cref="Points"/> points queued, and every control record before it, are durable.</summary>
internal sealed class FlushRequest(long points)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Points { get; } = points;

    public Task Completion => _done.Task;

    public void Complete(Exception? error)
    {
        if (error is null)
        {
            _done.TrySetResult();
        }
        else
        {
            _done.TrySetException(error);
        }
    }
}
