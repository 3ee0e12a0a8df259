using System.Threading.Tasks.Sources;

namespace MlOps.Sdk.Serving.Batching;

/// <summary>
/// One caller's place in a micro-batch: its input, and the value task it awaits. Pooled and reused. A caller's
/// cancellation and the batch race to claim it: whichever comes first completes it; a cancelled request stays in the
/// batcher's queue until dequeued, so it is not pooled again.
/// </summary>
internal sealed class BatchRequest<TIn, TOut> : IValueTaskSource<TOut>
{
    private const int Waiting = 0;
    private const int Claimed = 1;
    private const int Cancelled = 2;
    private static readonly System.Collections.Concurrent.ConcurrentQueue<BatchRequest<TIn, TOut>> Pool = new();
    private static readonly Action<object?, CancellationToken> OnCancel = static (state, token) => ((BatchRequest<TIn, TOut>)state!).Cancel(token);
    private ManualResetValueTaskSourceCore<TOut> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private int _state;

    public TIn Input { get; private set; } = default!;

    public bool IsCompleted => _core.GetStatus(_core.Version) != ValueTaskSourceStatus.Pending;

    public ValueTask<TOut> Task => new(this, _core.Version);

    public static BatchRequest<TIn, TOut> Rent(TIn input, CancellationToken cancellationToken)
    {
        var request = Pool.TryDequeue(out var pooled) ? pooled : new BatchRequest<TIn, TOut>();
        request.Input = input;
        request._state = Waiting;
        if (cancellationToken.CanBeCanceled)
        {
            request._registration = cancellationToken.UnsafeRegister(OnCancel, request);
        }

        return request;
    }

    /// <summary>Takes the request for a batch; false if its caller cancelled first.</summary>
    public bool TryClaim()
    {
        if (Interlocked.CompareExchange(ref _state, Claimed, Waiting) != Waiting)
        {
            return false;
        }

        _registration.Unregister();
        return true;
    }

    public void Complete(TOut result) => _core.SetResult(result);

    public void Fail(Exception error) => _core.SetException(error);

    private void Cancel(CancellationToken token)
    {
        if (Interlocked.CompareExchange(ref _state, Cancelled, Waiting) == Waiting)
        {
            _core.SetException(new OperationCanceledException(token));
        }
    }

    /// <summary>The result of a request completed before its caller returned: taken at once and the request pooled.</summary>
    public ValueTask<TOut> TakeCompleted()
    {
        try
        {
            return new ValueTask<TOut>(_core.GetResult(_core.Version));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<TOut>(e);
        }
        finally
        {
            Return();
        }
    }

    TOut IValueTaskSource<TOut>.GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Return();
        }
    }

    ValueTaskSourceStatus IValueTaskSource<TOut>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<TOut>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Return()
    {
        _registration = default;
        if (Volatile.Read(ref _state) == Cancelled)
        {
            // Still in the batcher's queue: reusing it would hand its slot to another caller.
            return;
        }

        Input = default!;
        _core.Reset();
        if (Pool.Count < 1024)
        {
            Pool.Enqueue(this);
        }
    }
}
