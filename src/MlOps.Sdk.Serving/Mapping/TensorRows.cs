namespace MlOps.Sdk.Serving.Mapping;

/// <summary>Stacks tensors along their first dimension, and splits them back: how the untyped host batches.</summary>
internal static class TensorRows
{
    /// <summary>One tensor holding <paramref name="parts"/> one after another along the first dimension; the rest of their shapes are equal.</summary>
    public static TensorValue Concat(TensorValue[] parts) => parts[0].DataType switch
    {
        TensorDataType.Float32 => Concat<float>(parts),
        TensorDataType.Float64 => Concat<double>(parts),
        TensorDataType.Float16 => Concat<Half>(parts),
        TensorDataType.BFloat16 => TensorValue.FromBFloat16Bits(Join<ushort>(parts), Shape(parts)),
        TensorDataType.Int8 => Concat<sbyte>(parts),
        TensorDataType.Int16 => Concat<short>(parts),
        TensorDataType.Int32 => Concat<int>(parts),
        TensorDataType.Int64 => Concat<long>(parts),
        TensorDataType.UInt8 => Concat<byte>(parts),
        TensorDataType.UInt16 => Concat<ushort>(parts),
        TensorDataType.UInt32 => Concat<uint>(parts),
        TensorDataType.UInt64 => Concat<ulong>(parts),
        TensorDataType.Bool => Concat<bool>(parts),
        TensorDataType.String => Concat<string>(parts),
        var other => throw new ModelInputException("(batch)", $"{other} values cannot be stacked"),
    };

    /// <summary><paramref name="value"/> cut along its first dimension into parts of <paramref name="rows"/> rows each.</summary>
    /// <exception cref="ModelInputException">The output does not have one row per input row: its first dimension is not a batch.</exception>
    public static TensorValue[] Split(string name, TensorValue value, long[] rows)
    {
        var total = rows.Sum();
        if (value.Shape.Count == 0 || value.Shape[0] != total)
        {
            throw new ModelInputException(name, $"the output has shape [{string.Join(",", value.Shape)}] for {total} input rows, so it cannot be split by rows; predict these items one by one");
        }

        return value.DataType switch
        {
            TensorDataType.Float32 => Split<float>(value, rows),
            TensorDataType.Float64 => Split<double>(value, rows),
            TensorDataType.Float16 => Split<Half>(value, rows),
            TensorDataType.BFloat16 => Split<ushort>(value, rows, TensorValue.FromBFloat16Bits),
            TensorDataType.Int8 => Split<sbyte>(value, rows),
            TensorDataType.Int16 => Split<short>(value, rows),
            TensorDataType.Int32 => Split<int>(value, rows),
            TensorDataType.Int64 => Split<long>(value, rows),
            TensorDataType.UInt8 => Split<byte>(value, rows),
            TensorDataType.UInt16 => Split<ushort>(value, rows),
            TensorDataType.UInt32 => Split<uint>(value, rows),
            TensorDataType.UInt64 => Split<ulong>(value, rows),
            TensorDataType.Bool => Split<bool>(value, rows),
            TensorDataType.String => Split<string>(value, rows),
            var other => throw new ModelInputException(name, $"{other} values cannot be split by rows"),
        };
    }

    private static TensorValue Concat<T>(TensorValue[] parts) => TensorValue.Create(Join<T>(parts), Shape(parts));

    private static T[] Join<T>(TensorValue[] parts)
    {
        var joined = new T[parts.Sum(p => checked((int)p.ElementCount))];
        var at = 0;
        foreach (var part in parts)
        {
            part.AsSpan<T>().CopyTo(joined.AsSpan(at));
            at += (int)part.ElementCount;
        }

        return joined;
    }

    private static long[] Shape(TensorValue[] parts)
    {
        var shape = parts[0].Shape.ToArray();
        shape[0] = parts.Sum(p => p.Shape[0]);
        return shape;
    }

    private static TensorValue[] Split<T>(TensorValue value, long[] rows, Func<T[], long[], TensorValue>? create = null)
    {
        create ??= TensorValue.Create;
        var data = value.AsSpan<T>();
        var perRow = value.Shape[0] == 0 ? 0 : (int)(value.ElementCount / value.Shape[0]);
        var parts = new TensorValue[rows.Length];
        var at = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            var shape = value.Shape.ToArray();
            shape[0] = rows[i];
            var length = (int)rows[i] * perRow;
            parts[i] = create(data.Slice(at, length).ToArray(), shape);
            at += length;
        }

        return parts;
    }
}
