using System.Runtime.InteropServices;

namespace MlOps.Sdk.Tracking.Writing;

/// <summary>
/// The bounded queue between logging threads and the writer: a ring of slots that producers claim with one
/// compare-and-swap on the tail and publish with a sequence number, and that the single writer reads in order without
/// a lock. A logging thread never takes a lock and never waits for the writer, and the writer's draining does not
/// contend with it (a channel's lock was taken by both for every point).
/// </summary>
/// <remarks>
/// Closing adds <see cref="ClosedMark"/> to the tail, which every later claim reads as a full queue; what was claimed
/// before is still drained. A sequence number is the slot's claim number plus one, so a slot left from the previous lap
/// never reads as published.
/// </remarks>
internal sealed class MetricQueue
{
    private const long ClosedMark = 1L << 62;
    private readonly Slot[] _slots;
    private readonly long _mask;
    private readonly long _capacity;
    private PaddedLong _tail;
    private PaddedLong _head;

    public MetricQueue(int capacity)
    {
        _capacity = capacity;
        var size = (int)Math.Max(2, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity));
        _slots = new Slot[size];
        _mask = size - 1;
    }

    /// <summary>Points claimed so far (published or about to be): what a flush must wait for.</summary>
    public long Claimed => Volatile.Read(ref _tail.Value) & ~ClosedMark;

    /// <summary>Points the writer has taken.</summary>
    public long Taken => Volatile.Read(ref _head.Value);

    /// <summary>Points waiting for the writer.</summary>
    public long Count => Claimed - Taken;

    public bool IsClosed => (Volatile.Read(ref _tail.Value) & ClosedMark) != 0;

    /// <summary>Queues a point; false when the queue is full or closed. Lock-free; allocates nothing.</summary>
    public bool TryEnqueue(in MetricRecord record)
    {
        var tail = Volatile.Read(ref _tail.Value);
        while (true)
        {
            // A closed tail is far beyond any head: it reads as full.
            if (tail - Volatile.Read(ref _head.Value) >= _capacity)
            {
                return false;
            }

            var seen = Interlocked.CompareExchange(ref _tail.Value, tail + 1, tail);
            if (seen == tail)
            {
                break;
            }

            tail = seen;
        }

        ref var slot = ref _slots[tail & _mask];
        slot.Record = record;
        Volatile.Write(ref slot.Sequence, tail + 1);
        return true;
    }

    /// <summary>Takes the next point in claim order; false when it is not published yet (or nothing is queued). Writer only.</summary>
    public bool TryDequeue(out MetricRecord record)
    {
        var head = _head.Value;
        ref var slot = ref _slots[head & _mask];
        if (Volatile.Read(ref slot.Sequence) != head + 1)
        {
            record = default;
            return false;
        }

        record = slot.Record;
        slot.Record = default;
        Volatile.Write(ref _head.Value, head + 1);
        return true;
    }

    /// <summary>Refuses every later point; those claimed before stay to be drained.</summary>
    public void Close()
    {
        var tail = Volatile.Read(ref _tail.Value);
        while ((tail & ClosedMark) == 0)
        {
            var seen = Interlocked.CompareExchange(ref _tail.Value, tail | ClosedMark, tail);
            if (seen == tail)
            {
                return;
            }

            tail = seen;
        }
    }

    private struct Slot
    {
        public MetricRecord Record;
        public long Sequence;
    }

    /// <summary>Keeps the producers' tail and the writer's head on cache lines of their own.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct PaddedLong
    {
        [FieldOffset(64)]
        public long Value;
    }
}
