using System.Collections.Concurrent;
using System.Diagnostics;

namespace MlOps.Sdk.Serving.Batching;

/// <summary>
/// Coalesces concurrent calls. A caller that finds no batch running, while the last batch served one call and no caller
/// has found a batch running since, runs at once: a lone caller pays nothing. Under load, the batch runs as a thread-pool work
/// item queued behind the continuations of the callers just served, so that their next calls join it; it runs once it
/// is as large as the one before it, or <see cref="MicroBatchingOptions.MaxDelay"/> after it started waiting, taking up
/// to <see cref="MicroBatchingOptions.MaxBatchSize"/> calls. Nothing spins and no timer is involved.
/// </summary>
/// <param name="options">The limits.</param>
/// <param name="runBatch">Runs a batch; the results are in input order.</param>
/// <param name="runOne">Runs one call, when the batch failed as a whole: each caller gets its own result or error.</param>
internal sealed class MicroBatcher<TIn, TOut>(MicroBatchingOptions options, Func<ReadOnlyMemory<TIn>, TOut[]> runBatch, Func<TIn, TOut> runOne) : IThreadPoolWorkItem
{
    private readonly ConcurrentQueue<BatchRequest<TIn, TOut>> _queue = new();
    private readonly BatchRequest<TIn, TOut>[] _batch = new BatchRequest<TIn, TOut>[options.MaxBatchSize];
    private readonly TIn[] _inputs = new TIn[options.MaxBatchSize];
    private readonly long _maxDelayTicks = (long)(options.MaxDelay.TotalSeconds * Stopwatch.Frequency);
    private int _queued;
    private int _lastBatchSize;
    private long _waitingSince;
    private int _running;
    private bool _contended;

    public ValueTask<TOut> PredictAsync(TIn input, CancellationToken cancellationToken = default)
    {
        var request = BatchRequest<TIn, TOut>.Rent(input, cancellationToken);
        _queue.Enqueue(request);
        Interlocked.Increment(ref _queued);
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            // A batch is running: calls are arriving together, so the next batches wait for each other.
            Volatile.Write(ref _contended, true);
        }
        else
        {
            if (Volatile.Read(ref _lastBatchSize) <= 1 && !Volatile.Read(ref _contended))
            {
                RunBatch();
                Continue();
            }
            else
            {
                Schedule();
            }
        }

        return request.IsCompleted ? request.TakeCompleted() : request.Task;
    }

    void IThreadPoolWorkItem.Execute()
    {
        // Wait for as many calls as the last batch served, and for a second one after a caller found a batch running.
        var target = Math.Min(Volatile.Read(ref _contended) ? Math.Max(2, _lastBatchSize) : _lastBatchSize, _batch.Length);
        if (Volatile.Read(ref _queued) < target)
        {
            var now = Stopwatch.GetTimestamp();
            if (_waitingSince == 0)
            {
                _waitingSince = now;
            }

            if (now - _waitingSince < _maxDelayTicks)
            {
                // Callers are coming: let the pool run them first.
                Schedule();
                return;
            }
        }

        _waitingSince = 0;
        RunBatch();
        Continue();
    }

    private void Schedule() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    /// <summary>After a batch: another turn on the pool if calls are queued, else the run ends.</summary>
    private void Continue()
    {
        if (!_queue.IsEmpty)
        {
            Schedule();
            return;
        }

        Volatile.Write(ref _running, 0);
        if (!_queue.IsEmpty && Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            Schedule();
        }
    }

    private void RunBatch()
    {
        var count = 0;
        var dequeued = 0;
        while (count < _batch.Length && _queue.TryDequeue(out var request))
        {
            dequeued++;
            if (!request.TryClaim())
            {
                // Its caller cancelled while it waited: it is not run.
                continue;
            }

            _batch[count] = request;
            _inputs[count] = request.Input;
            count++;
        }

        Interlocked.Add(ref _queued, -dequeued);
        if (count == 0)
        {
            return;
        }

        Volatile.Write(ref _lastBatchSize, count);
        if (count == 1)
        {
            // Nobody joined: run the next lone call at once again, unless a caller finds this one running.
            Volatile.Write(ref _contended, false);
        }

        try
        {
            var results = runBatch(_inputs.AsMemory(0, count));
            for (var i = 0; i < count; i++)
            {
                _batch[i].Complete(results[i]);
            }
        }
        catch (Exception) when (count > 1)
        {
            // One bad input must not fail the calls batched with it.
            for (var i = 0; i < count; i++)
            {
                try
                {
                    _batch[i].Complete(runOne(_inputs[i]));
                }
                catch (Exception e)
                {
                    _batch[i].Fail(e);
                }
            }
        }
        catch (Exception e)
        {
            _batch[0].Fail(e);
        }
        finally
        {
            Array.Clear(_batch, 0, count);
            Array.Clear(_inputs, 0, count);
        }
    }
}
