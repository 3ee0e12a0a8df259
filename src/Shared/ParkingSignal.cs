using System.Threading.Channels;

namespace MlOps.Sdk;

/// <summary>
/// Lets the one reader of a <see cref="BoundedRing{T}"/> wait when there is nothing to read, without making every
/// producer pay for waking it: a producer reads one flag, and signals only when the reader has raised it.
/// </summary>
/// <remarks>
/// The reader raises the flag, then looks for work once more; a producer publishes, then reads the flag. The ring's
/// claim is a full fence and the reader fences after raising the flag, so one of the two always sees the other.
/// Linked as source with <c>BoundedRing</c>; not part of any public surface.
/// </remarks>
internal sealed class ParkingSignal
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private int _parked;

    /// <summary>Producer side, after publishing: one read while the reader is awake, a wake-up when it waits.</summary>
    public void WakeIfParked()
    {
        if (Volatile.Read(ref _parked) != 0 && Interlocked.Exchange(ref _parked, 0) != 0)
        {
            Wake();
        }
    }

    /// <summary>Wakes the reader whether or not it waits (for work that is not in the ring: closing, flushes, timers).</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Reader side: waits for a wake-up, unless <paramref name="hasWork"/> finds work that arrived meanwhile.</summary>
    public async Task ParkAsync(Func<bool> hasWork)
    {
        Volatile.Write(ref _parked, 1);
        Interlocked.MemoryBarrier();
        if (!hasWork())
        {
            await _wake.Reader.WaitToReadAsync().ConfigureAwait(false);
            _wake.Reader.TryRead(out _);
        }

        Volatile.Write(ref _parked, 0);
    }
}
