using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace MlOps.Sdk;

/// <summary>
/// Calls code the SDK did not write (event subscribers, hooks, handlers). A throw is logged and counted on the
/// layer's meter and goes no further. <see cref="RunAsync"/> runs the callback on a thread of its own and waits for it
/// at most <see cref="Timeout"/>: a callback that hangs is logged, counted as <c>timeout</c>, left to finish on its
/// own, and awaited (for the same bound) on disposal, so it can neither stall the SDK nor outlive it unnoticed.
/// </summary>
/// <remarks>Linked as source into each layer that calls user code; not part of any public surface.</remarks>
internal sealed partial class CallbackGuard : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly Counter<long> _errors;
    private readonly ConcurrentDictionary<Task, string> _running = new();

    /// <param name="errors">The layer's counter of callback failures, tagged here with the boundary and the error type.</param>
    /// <param name="logger">Where failures are logged.</param>
    /// <param name="timeout">How long <see cref="RunAsync"/> and disposal wait for a callback.</param>
    public CallbackGuard(Counter<long> errors, ILogger logger, TimeSpan timeout)
    {
        (_errors, _logger, Timeout) = (errors, logger, timeout);
    }

    public TimeSpan Timeout { get; }

    /// <summary>Callbacks still running (hung or slow).</summary>
    public int Running => _running.Count;

    /// <summary>Calls every handler of <paramref name="handler"/> on this thread, each isolated from the others.</summary>
    public void Raise<T>(string boundary, EventHandler<T>? handler, object sender, T args)
    {
        if (handler is null)
        {
            return;
        }

        foreach (var each in handler.GetInvocationList())
        {
            try
            {
                ((EventHandler<T>)each)(sender, args);
            }
            catch (Exception e)
            {
                Failed(boundary, e);
            }
        }
    }

    /// <summary>
    /// Calls every handler on a thread of its own, so that one that hangs holds up no other and starves no pool, and
    /// waits for them at most <see cref="Timeout"/>. For rare events (swaps, loads, alias moves), not per prediction.
    /// </summary>
    public Task RaiseAsync<T>(string boundary, EventHandler<T>? handler, object sender, T args)
    {
        if (handler is null)
        {
            return Task.CompletedTask;
        }

        var handlers = handler.GetInvocationList();
        if (handlers.Length == 1)
        {
            return RunAsync(boundary, _ => { handler(sender, args); return Task.CompletedTask; }, CancellationToken.None);
        }

        return Task.WhenAll(handlers.Select(each => RunAsync(boundary, _ => { ((EventHandler<T>)each)(sender, args); return Task.CompletedTask; }, CancellationToken.None)));
    }

    /// <summary>Runs <paramref name="callback"/> on a thread of its own; returns when it ends, fails (logged) or outlives <see cref="Timeout"/>.</summary>
    /// <returns>True when the callback completed without an error in time.</returns>
    public async Task<bool> RunAsync(string boundary, Func<CancellationToken, Task> callback, CancellationToken cancellationToken)
    {
        // A thread of its own, not the pool's: a callback that hangs must not starve the pool the host's requests run on.
        var task = Task.Factory.StartNew(() => callback(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap();
        _running[task] = boundary;
        _ = task.ContinueWith(static (t, state) => ((ConcurrentDictionary<Task, string>)state!).TryRemove(t, out _), _running, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await task.WaitAsync(Timeout, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            Count(boundary, "timeout");
            Log.Hung(_logger, boundary, Timeout);
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e)
        {
            Failed(boundary, e);
            return false;
        }
    }

    /// <summary>Counts and logs a failure of user code caught by the caller.</summary>
    public void Failed(string boundary, Exception exception)
    {
        Count(boundary, exception.GetType().Name);
        Log.Threw(_logger, exception, boundary);
    }

    /// <summary>Counts a failure of user code the caller logs itself (<c>timeout</c>, <c>backlog</c>, an exception's type).</summary>
    public void Count(string boundary, string errorType) =>
        _errors.Add(1, new KeyValuePair<string, object?>("mlops.callback", boundary), new KeyValuePair<string, object?>("error.type", errorType));

    /// <summary>Waits for the callbacks still running, at most <see cref="Timeout"/>; the ones that hang are logged.</summary>
    public async ValueTask DisposeAsync()
    {
        var running = _running.Keys.ToArray();
        if (running.Length == 0)
        {
            return;
        }

        try
        {
            await Task.WhenAll(running).WaitAsync(Timeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            foreach (var boundary in _running.Values)
            {
                Log.Abandoned(_logger, boundary, Timeout);
            }
        }
        catch (Exception)
        {
            // Each failure was logged when it happened.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9001, Level = LogLevel.Error, Message = "A {Boundary} callback threw; the SDK carries on as if it had not been called.")]
        public static partial void Threw(ILogger logger, Exception exception, string boundary);

        [LoggerMessage(EventId = 9002, Level = LogLevel.Error, Message = "A {Boundary} callback has not returned after {Timeout}; the SDK carries on without it.")]
        public static partial void Hung(ILogger logger, string boundary, TimeSpan timeout);

        [LoggerMessage(EventId = 9003, Level = LogLevel.Error, Message = "A {Boundary} callback was still running {Timeout} after disposal began; it is abandoned.")]
        public static partial void Abandoned(ILogger logger, string boundary, TimeSpan timeout);
    }
}
