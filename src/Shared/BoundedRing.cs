namespace MlOps.Sdk;

/// <summary>
/// A bounded multi-producer, single-consumer queue: a ring of slots that producers claim with one compare-and-swap on
/// the tail and publish with a sequence number, and that its one reader takes in order without a lock. A producer
/// never takes a lock and never waits, and the reader's draining does not contend with it (a channel's lock is taken
/// by both sides for every item). Used between logging threads and the tracking writer, and between predicting
/// threads and a queued observer.
/// </summary>
/// <remarks>
/// Closing adds <see cref="ClosedMark"/> to the tail, which every later claim reads as a full queue; what was claimed
/// before is still drained. A sequence number is the slot's claim number plus one, so a slot left from the previous lap
/// never reads as published. Linked as source into the layers that use it; not part of any public surface.
/// </remarks>
/// <typeparam name="T">The item, copied into its slot.</typeparam>
internal sealed class BoundedRing<T>
{
    private const long ClosedMark = 1L << 62;
    private readonly Slot[] _slots;
    private readonly long _mask;
    private readonly long _capacity;
    private PaddedLong _tail;
    private PaddedLong _head;

    public BoundedRing(int capacity)
    {
        _capacity = capacity;
        var size = (int)Math.Max(2, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity));
        _slots = new Slot[size];
        _mask = size - 1;
    }

    /// <summary>Items claimed so far (published or about to be).</summary>
    public long Claimed => Volatile.Read(ref _tail.Value) & ~ClosedMark;

    /// <summary>Items the reader has taken.</summary>
    public long Taken => Volatile.Read(ref _head.Value);

    /// <summary>Items waiting for the reader.</summary>
    public long Count => Claimed - Taken;

    public bool IsClosed => (Volatile.Read(ref _tail.Value) & ClosedMark) != 0;

    /// <summary>Queues an item; false when the ring is full or closed. Lock-free; allocates nothing.</summary>
    public bool TryEnqueue(in T item)
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
        slot.Item = item;
        Volatile.Write(ref slot.Sequence, tail + 1);
        return true;
    }

    /// <summary>Takes the next item in claim order; false when it is not published yet (or nothing is queued). Reader only.</summary>
    public bool TryDequeue(out T item)
    {
        var head = _head.Value;
        ref var slot = ref _slots[head & _mask];
        if (Volatile.Read(ref slot.Sequence) != head + 1)
        {
            item = default!;
            return false;
        }

        item = slot.Item;
        slot.Item = default!;
        Volatile.Write(ref _head.Value, head + 1);
        return true;
    }

    /// <summary>Refuses every later item; those claimed before stay to be drained.</summary>
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
        public T Item;
        public long Sequence;
    }
}
