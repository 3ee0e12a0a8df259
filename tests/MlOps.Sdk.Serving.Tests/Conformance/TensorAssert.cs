using Xunit;

namespace MlOps.Sdk.Serving.Tests.Conformance;

/// <summary>Compares tensors: type, shape and every value, exactly or within a tolerance for floating point.</summary>
public static class TensorAssert
{
    /// <summary>Every output of <paramref name="expected"/> is in <paramref name="actual"/>, equal.</summary>
    public static void Equal(NamedTensors expected, NamedTensors actual, double tolerance = 0)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, value) in expected)
        {
            Equal(value, actual[name], tolerance, name);
        }
    }

    public static void Equal(TensorValue expected, TensorValue actual, double tolerance, string name)
    {
        Assert.True(expected.DataType == actual.DataType, $"{name}: {actual.DataType} where {expected.DataType} was expected");
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{name}: shape [{string.Join(",", actual.Shape)}] where [{string.Join(",", expected.Shape)}] was expected");
        switch (expected.DataType)
        {
            case TensorDataType.Float32: Close(expected.AsSpan<float>().ToArray().Select(v => (double)v), actual.AsSpan<float>().ToArray().Select(v => (double)v), tolerance, name); break;
            case TensorDataType.Float64: Close(expected.AsSpan<double>().ToArray(), actual.AsSpan<double>().ToArray(), tolerance, name); break;
            case TensorDataType.Float16: Close(expected.AsSpan<Half>().ToArray().Select(v => (double)v), actual.AsSpan<Half>().ToArray().Select(v => (double)v), tolerance, name); break;
            case TensorDataType.BFloat16: Close(expected.AsSpan<ushort>().ToArray().Select(Bf16), actual.AsSpan<ushort>().ToArray().Select(Bf16), tolerance, name); break;
            case TensorDataType.Int8: Assert.Equal(expected.AsSpan<sbyte>().ToArray(), actual.AsSpan<sbyte>().ToArray()); break;
            case TensorDataType.Int16: Assert.Equal(expected.AsSpan<short>().ToArray(), actual.AsSpan<short>().ToArray()); break;
            case TensorDataType.Int32: Assert.Equal(expected.AsSpan<int>().ToArray(), actual.AsSpan<int>().ToArray()); break;
            case TensorDataType.Int64: Assert.Equal(expected.AsSpan<long>().ToArray(), actual.AsSpan<long>().ToArray()); break;
            case TensorDataType.UInt8: Assert.Equal(expected.AsSpan<byte>().ToArray(), actual.AsSpan<byte>().ToArray()); break;
            case TensorDataType.UInt16: Assert.Equal(expected.AsSpan<ushort>().ToArray(), actual.AsSpan<ushort>().ToArray()); break;
            case TensorDataType.UInt32: Assert.Equal(expected.AsSpan<uint>().ToArray(), actual.AsSpan<uint>().ToArray()); break;
            case TensorDataType.UInt64: Assert.Equal(expected.AsSpan<ulong>().ToArray(), actual.AsSpan<ulong>().ToArray()); break;
            case TensorDataType.Bool: Assert.Equal(expected.AsSpan<bool>().ToArray(), actual.AsSpan<bool>().ToArray()); break;
            case TensorDataType.String: Assert.Equal(expected.AsSpan<string>().ToArray(), actual.AsSpan<string>().ToArray()); break;
            case TensorDataType.MapSequence: Maps(expected, actual, tolerance, name); break;
        }
    }

    private static void Maps(TensorValue expected, TensorValue actual, double tolerance, string name)
    {
        var longKeyed = Keys(expected) == typeof(long);
        Assert.Equal(Keys(expected), Keys(actual));
        var (e, a) = longKeyed
            ? (Flatten(expected.AsMaps<long>()), Flatten(actual.AsMaps<long>()))
            : (Flatten(expected.AsMaps<string>()), Flatten(actual.AsMaps<string>()));
        Assert.Equal(e.Select(p => p.Key), a.Select(p => p.Key));
        Close(e.Select(p => (double)p.Value), a.Select(p => (double)p.Value), tolerance, name);
    }

    private static List<KeyValuePair<string, float>> Flatten<TKey>(IReadOnlyList<IReadOnlyDictionary<TKey, float>> maps)
        where TKey : notnull =>
        maps.SelectMany((m, row) => m.OrderBy(p => p.Key).Select(p => KeyValuePair.Create($"{row}:{p.Key}", p.Value))).ToList();

    private static Type Keys(TensorValue maps)
    {
        try
        {
            _ = maps.AsMaps<long>();
            return typeof(long);
        }
        catch (InvalidOperationException)
        {
            return typeof(string);
        }
    }

    private static double Bf16(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    private static void Close(IEnumerable<double> expected, IEnumerable<double> actual, double tolerance, string name)
    {
        foreach (var (e, a, i) in expected.Zip(actual).Select((p, i) => (p.First, p.Second, i)))
        {
            var same = tolerance == 0
                ? BitConverter.DoubleToInt64Bits(e) == BitConverter.DoubleToInt64Bits(a) || (double.IsNaN(e) && double.IsNaN(a))
                : Math.Abs(e - a) <= tolerance * Math.Max(1, Math.Abs(e));
            Assert.True(same, $"{name}[{i}]: {a:R} where {e:R} was expected (tolerance {tolerance})");
        }
    }
}
