using System.Buffers.Binary;
using System.Text;

namespace MlOps.Sdk.Monitoring;

/// <summary>
/// The bytes of a saved open window: a format number, the features' names (so a window is only restored against the
/// profile it was captured for), the row count, the numbers (little-endian doubles, row-major) and the categories
/// (length-prefixed UTF-8, −1 for none).
/// </summary>
internal static class WindowSnapshot
{
    private const int Format = 1;

    public static byte[] Write(ReferenceProfile reference, double[] numeric, string?[] categorical, int rows)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write(Format);
        writer.Write(Names(reference));
        writer.Write(rows);
        writer.Write(numeric.Length);
        var buffer = new byte[8];
        foreach (var x in numeric)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(buffer, x);
            writer.Write(buffer);
        }

        writer.Write(categorical.Length);
        foreach (var value in categorical)
        {
            if (value is null)
            {
                writer.Write(-1);
            }
            else
            {
                var bytes = Encoding.UTF8.GetBytes(value);
                writer.Write(bytes.Length);
                writer.Write(bytes);
            }
        }

        writer.Flush();
        return stream.ToArray();
    }

    public static bool TryRead(byte[] bytes, ReferenceProfile reference, int numericCount, int categoricalCount, int windowSize, out double[] numeric, out string?[] categorical, out int rows)
    {
        (numeric, categorical, rows) = ([], [], 0);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
            if (reader.ReadInt32() != Format || reader.ReadString() != Names(reference))
            {
                return false;
            }

            rows = reader.ReadInt32();
            var numbers = reader.ReadInt32();
            if (rows < 0 || rows >= windowSize || numbers != rows * numericCount)
            {
                return false;
            }

            numeric = new double[numbers];
            for (var i = 0; i < numbers; i++)
            {
                numeric[i] = BinaryPrimitives.ReadDoubleLittleEndian(reader.ReadBytes(8));
            }

            var labels = reader.ReadInt32();
            if (labels != rows * categoricalCount)
            {
                return false;
            }

            categorical = new string?[labels];
            for (var i = 0; i < labels; i++)
            {
                var length = reader.ReadInt32();
                categorical[i] = length < 0 ? null : Encoding.UTF8.GetString(reader.ReadBytes(length));
            }

            return true;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException)
        {
            return false;
        }
    }

    private static string Names(ReferenceProfile reference) => string.Join("\n", reference.Features.Select(f => $"{f.Kind}:{f.Name}"));
}
