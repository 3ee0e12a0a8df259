namespace MlOps.Sdk.Serving;

/// <summary>
/// One value a model takes or returns, known only at run time: a tensor (element type, shape and values, row-major) or a
/// sequence of maps. Immutable once made: the values are the array it was made from, not a copy.
/// </summary>
public sealed class TensorValue
{
    private static readonly Dictionary<Type, TensorDataType> Types = new()
    {
        [typeof(float)] = TensorDataType.Float32,
        [typeof(double)] = TensorDataType.Float64,
        [typeof(Half)] = TensorDataType.Float16,
        [typeof(sbyte)] = TensorDataType.Int8,
        [typeof(short)] = TensorDataType.Int16,
        [typeof(int)] = TensorDataType.Int32,
        [typeof(long)] = TensorDataType.Int64,
        [typeof(byte)] = TensorDataType.UInt8,
        [typeof(ushort)] = TensorDataType.UInt16,
        [typeof(uint)] = TensorDataType.UInt32,
        [typeof(ulong)] = TensorDataType.UInt64,
        [typeof(bool)] = TensorDataType.Bool,
        [typeof(string)] = TensorDataType.String,
    };

    private readonly long[] _shape;

    private TensorValue(TensorDataType dataType, Array values, long[] shape)
    {
        DataType = dataType;
        Values = values;
        _shape = shape;
    }

    /// <summary>The element type, or <see cref="TensorDataType.MapSequence"/>.</summary>
    public TensorDataType DataType { get; }

    /// <summary>The shape: one length per dimension; a sequence of maps has one dimension, its length.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>The number of elements (of maps, for a sequence of maps).</summary>
    public long ElementCount => Values.LongLength;

    /// <summary>The values as they are held: a one-dimensional array of the element type (of maps, for a sequence of maps).</summary>
    private Array Values { get; }

    /// <summary>A tensor over <paramref name="values"/> (row-major) with <paramref name="shape"/>; no shape means one dimension, the values' length.</summary>
    /// <typeparam name="T">
    /// The element type: <see cref="float"/>, <see cref="double"/>, <see cref="Half"/>, the 8- to 64-bit integers,
    /// <see cref="bool"/> or <see cref="string"/> (for bfloat16 use <see cref="FromBFloat16Bits"/>).
    /// </typeparam>
    /// <exception cref="ArgumentException">The type is not an element type, a length is negative, or the shape does not hold the values.</exception>
    public static TensorValue Create<T>(T[] values, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!Types.TryGetValue(typeof(T), out var dataType))
        {
            throw new ArgumentException($"{typeof(T).Name} is not a tensor element type; use float, double, Half, an 8- to 64-bit integer, bool or string.", nameof(values));
        }

        return new TensorValue(dataType, values, CheckShape(values.LongLength, shape));
    }

    /// <summary>A bfloat16 tensor from the bits of each element (the upper 16 bits of the <see cref="float"/> it stands for).</summary>
    public static TensorValue FromBFloat16Bits(ushort[] bits, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(bits);
        return new TensorValue(TensorDataType.BFloat16, bits, CheckShape(bits.LongLength, shape));
    }

    /// <summary>A sequence of maps, one per row.</summary>
    /// <typeparam name="TKey"><see cref="long"/> or <see cref="string"/>.</typeparam>
    public static TensorValue CreateMaps<TKey>(IReadOnlyDictionary<TKey, float>[] maps)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(maps);
        if (typeof(TKey) != typeof(long) && typeof(TKey) != typeof(string))
        {
            throw new ArgumentException($"Map keys are long or string, not {typeof(TKey).Name}.", nameof(maps));
        }

        return new TensorValue(TensorDataType.MapSequence, maps, [maps.LongLength]);
    }

    /// <summary>The values, row-major.</summary>
    /// <typeparam name="T">The element type the tensor holds (<see cref="ushort"/> for bfloat16 bits).</typeparam>
    /// <exception cref="InvalidOperationException">The tensor holds another element type.</exception>
    public ReadOnlySpan<T> AsSpan<T>() => AsMemory<T>().Span;

    /// <summary>The values, row-major, as memory that can be pinned.</summary>
    /// <typeparam name="T">The element type the tensor holds (<see cref="ushort"/> for bfloat16 bits).</typeparam>
    /// <exception cref="InvalidOperationException">The tensor holds another element type.</exception>
    public ReadOnlyMemory<T> AsMemory<T>() => Values as T[] ?? throw WrongType(typeof(T).Name);

    /// <summary>The maps of a sequence of maps, one per row.</summary>
    /// <typeparam name="TKey">The key type: <see cref="long"/> or <see cref="string"/>.</typeparam>
    /// <exception cref="InvalidOperationException">This is a tensor, or its keys are of another type.</exception>
    public IReadOnlyList<IReadOnlyDictionary<TKey, float>> AsMaps<TKey>()
        where TKey : notnull => Values as IReadOnlyDictionary<TKey, float>[] ?? throw WrongType($"maps with {typeof(TKey).Name} keys");

    /// <inheritdoc />
    public override string ToString() => $"{DataType}[{string.Join(",", _shape)}]";

    private InvalidOperationException WrongType(string asked) =>
        new($"This value holds {(DataType == TensorDataType.MapSequence ? $"maps of {Values.GetType().GetElementType()!.GetGenericArguments()[0].Name} keys" : DataType.ToString())} ({Values.GetType().GetElementType()!.Name}), not {asked}.");

    private static long[] CheckShape(long count, long[] shape)
    {
        if (shape is null || shape.Length == 0)
        {
            return [count];
        }

        var product = 1L;
        foreach (var length in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length, nameof(shape));
            product *= length;
        }

        return product == count
            ? (long[])shape.Clone()
            : throw new ArgumentException($"The shape [{string.Join(",", shape)}] holds {product} elements; there are {count} values.", nameof(shape));
    }
}
