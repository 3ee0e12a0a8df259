
namespace MlOps.Sdk.Serving.Hosting;

/// <summary>Disposal: stop following, drain observers and followers, free the sessions once their calls are done.</summary>
internal sealed partial class OnnxModelHost<TIn, TOut>
{
    /// <summary>Stops following, waits for the follower, the shadow and running callbacks, and frees the sessions once their calls are done.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!BeginDispose())
        {
            return;
        }

        if (_follower is not null)
        {
            await _follower.ConfigureAwait(false);
        }

        if (_shadow is not null)
        {
            await _shadow.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var follower in Followers)
        {
            await follower.DisposeAsync().ConfigureAwait(false);
        }

        await _callbacks.DisposeAsync().ConfigureAwait(false);
        await DrainObserversAsync().ConfigureAwait(false);
        EndDispose();
        _stopping.Dispose();
        _swapLock.Dispose();
    }

    /// <summary>
    /// For containers disposed synchronously: stops following and frees the sessions once their calls are done, without
    /// blocking on the background work, which ends on its own as soon as it sees the cancellation.
    /// </summary>
    public void Dispose()
    {
        if (!BeginDispose())
        {
            return;
        }

        _shadow?.Dispose();
        foreach (var observer in _queuedObservers.Keys)
        {
            observer.Close();
        }

        foreach (var follower in Followers)
        {
            follower.Dispose();
        }

        EndDispose();
    }

    private bool BeginDispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return false;
        }

        _registry.AliasMoved -= OnAliasMoved;
        _stopping.Cancel();
        return true;
    }

    private void EndDispose()
    {
        Interlocked.Exchange(ref _current, null)?.Dispose();
        _unavailable = "the host was disposed.";
    }
}
