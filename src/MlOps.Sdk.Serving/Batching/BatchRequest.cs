using System.Threading.Tasks.Sources;

namespace MlOps.Sdk.Serving.Batching;

/// <summary>One caller's place in a micro-batch: its input, and the value task it awaits. Pooled and reused.</summary>
internal sealed class BatchRequest<TIn, TOut> : IValueTaskSource<TOut>
{
    private static readonly System.Collections.Concurrent.ConcurrentQueue<BatchRequest<TIn, TOut>> Pool = new();
    private ManualResetValueTaskSourceCore<TOut> _core = new() { RunContinuationsAsynchronously = true };

    public TIn Input { get; private set; } = default!;

    public bool IsCompleted => _core.GetStatus(_core.Version) != ValueTaskSourceStatus.Pending;

    public ValueTask<TOut> Task => new(this, _core.Version);

    public static BatchRequest<TIn, TOut> Rent(TIn input)
    {
        var request = Pool.TryDequeue(out var pooled) ? pooled : new BatchRequest<TIn, TOut>();
        request.Input = input;
        return request;
    }

    public void Complete(TOut result) => _core.SetResult(result);

    public void Fail(Exception error) => _core.SetException(error);

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
        Input = default!;
        _core.Reset();
        if (Pool.Count < 1024)
        {
            Pool.Enqueue(this);
        }
    }
}
