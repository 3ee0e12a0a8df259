using System.Buffers.Binary;

namespace MlOps.Sdk.Tracking;

/// <summary>
/// The portable binary form of a run of metric points that storage providers keep as one segment:
/// a format byte, then per point step (int64), timestamp (int64, Unix ms) and value (IEEE double), little-endian.
/// </summary>
internal static class MetricSegmentCodec
{
    private const byte FormatV1 = 1;
    private const int PointSize = 24;

    /// <summary>Encodes points.</summary>
    public static byte[] Encode(ReadOnlySpan<Metric> points)
    {
        var bytes = new byte[1 + (points.Length * PointSize)];
        bytes[0] = FormatV1;
        var span = bytes.AsSpan(1);
        foreach (var p in points)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span, p.Step);
            BinaryPrimitives.WriteInt64LittleEndian(span[8..], p.Timestamp);
            BinaryPrimitives.WriteDoubleLittleEndian(span[16..], p.Value);
            span = span[PointSize..];
        }

        return bytes;
    }

    /// <summary>Decodes a segment into <paramref name="destination"/>.</summary>
    /// <exception cref="MlOpsException">The segment is not in a known format.</exception>
    public static void Decode(ReadOnlySpan<byte> segment, List<Metric> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (segment.Length == 0 || segment[0] != FormatV1 || (segment.Length - 1) % PointSize != 0)
        {
            throw new MlOpsException("A stored metric segment is corrupt or in an unknown format; the store may be damaged or written by a newer version.");
        }

        var span = segment[1..];
        while (span.Length > 0)
        {
            destination.Add(new Metric(
                BinaryPrimitives.ReadDoubleLittleEndian(span[16..]),
                BinaryPrimitives.ReadInt64LittleEndian(span),
                BinaryPrimitives.ReadInt64LittleEndian(span[8..])));
            span = span[PointSize..];
        }
    }

    /// <summary>The latest point: largest step, then latest time, then the one logged last.</summary>
    public static Metric Latest(ReadOnlySpan<Metric> points)
    {
        var latest = points[0];
        foreach (var p in points[1..])
        {
            if (p.Step > latest.Step || (p.Step == latest.Step && p.Timestamp >= latest.Timestamp))
            {
                latest = p;
            }
        }

        return latest;
    }

    /// <summary>The smallest and largest step of points, and the latest point (<see cref="Latest"/>).</summary>
    public static (long Min, long Max, Metric Latest) Extent(ReadOnlySpan<Metric> points)
    {
        long min = long.MaxValue, max = long.MinValue;
        foreach (var p in points)
        {
            min = Math.Min(min, p.Step);
            max = Math.Max(max, p.Step);
        }

        return (min, max, Latest(points));
    }
}
