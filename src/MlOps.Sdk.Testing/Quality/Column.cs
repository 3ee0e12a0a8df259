using System.Buffers;
using System.Collections;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace MlOps.Sdk.Testing.Quality;

/// <summary>
/// An evaluation's per-row values (labels, scores), kept in segments of 8,192 so none reaches the large-object heap:
/// every large-object allocation counts toward a full collection of the test process's whole heap, holdout rows
/// included, and an evaluation of 100,000 rows would otherwise cause one every few evaluations. Metrics that take spans
/// read a pooled contiguous copy (<see cref="Rent"/>).
/// </summary>
internal sealed class Column<T> : IReadOnlyList<T>
    where T : unmanaged
{
    private const int Shift = 13;
    private const int SegmentLength = 1 << Shift;
    private readonly T[][] _segments;

    public Column(int count)
    {
        Debug.Assert(Unsafe.SizeOf<T>() * SegmentLength < 85_000, "A segment stays below the large-object threshold.");
        Count = count;
        _segments = new T[(count + SegmentLength - 1) >> Shift][];
        for (var s = 0; s < _segments.Length; s++)
        {
            _segments[s] = new T[Math.Min(SegmentLength, count - (s << Shift))];
        }
    }

    public Column(IEnumerable<T> values)
        : this(values as IReadOnlyCollection<T> ?? [.. values])
    {
    }

    private Column(IReadOnlyCollection<T> values)
        : this(values.Count)
    {
        var i = 0;
        foreach (var value in values)
        {
            this[i++] = value;
        }
    }

    public int Count { get; }

    public T this[int index]
    {
        get => _segments[index >> Shift][index & (SegmentLength - 1)];
        set => _segments[index >> Shift][index & (SegmentLength - 1)] = value;
    }

    /// <summary>The segments in order: two columns of the same count are segmented alike.</summary>
    public IReadOnlyList<T[]> Segments => _segments;

    /// <summary>The values as one span, in an array from the shared pool until the lease is disposed.</summary>
    public Lease Rent()
    {
        var array = ArrayPool<T>.Shared.Rent(Count);
        for (var s = 0; s < _segments.Length; s++)
        {
            _segments[s].CopyTo(array, s << Shift);
        }

        return new Lease(array, Count);
    }

    public IEnumerator<T> GetEnumerator()
    {
        foreach (var segment in _segments)
        {
            foreach (var value in segment)
            {
                yield return value;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A pooled contiguous copy of a column.</summary>
    public readonly struct Lease(T[] array, int count) : IDisposable
    {
        public ReadOnlySpan<T> Span => array.AsSpan(0, count);

        public void Dispose() => ArrayPool<T>.Shared.Return(array);
    }
}
