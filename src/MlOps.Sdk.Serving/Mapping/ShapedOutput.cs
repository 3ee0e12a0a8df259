using System.Numerics.Tensors;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>
/// An output read with the shape the run gave it: into a multi-dimensional array (of the output's rank, or of one row's)
/// or a <see cref="Tensor{T}"/>, or as <see cref="Half"/> for float16. ONNX Runtime allocates it; it is copied out.
/// </summary>
internal sealed class ShapedOutput<TOut, T>(string name, PropertyShape property, Action<TOut, object?> set, ShapedOutput<TOut, T>.Copy copy) : OutputBinding<TOut>(name)
{
    /// <summary>Copies <paramref name="target"/>'s length of elements from <paramref name="value"/>, starting at <paramref name="start"/>.</summary>
    internal delegate void Copy(OrtValue value, int start, Array target);

    public override void Read(OrtValue value, TOut output)
    {
        var shape = value.GetTensorTypeAndShape().Shape;
        set(output, Build(value, 0, checked((int)shape.Aggregate(1L, (a, b) => a * b)), shape));
    }

    public override void ReadRow(OrtValue value, int row, int rows, TOut output)
    {
        var shape = value.GetTensorTypeAndShape().Shape;
        var per = rows == 0 ? 0 : checked((int)(shape.Aggregate(1L, (a, b) => a * b) / rows));
        set(output, Build(value, row * per, per, shape.Length == 0 ? [] : shape[1..]));
    }

    /// <summary>The property's value for <paramref name="count"/> elements from <paramref name="start"/>, of <paramref name="shape"/>: copied once.</summary>
    private object? Build(OrtValue value, int start, int count, long[] shape)
    {
        switch (property.Kind)
        {
            case PropertyKind.Scalar:
                var one = new T[Math.Min(count, 1)];
                copy(value, start, one);
                return one.Length == 0 ? default : one[0];
            case PropertyKind.Vector:
                var flat = new T[count];
                copy(value, start, flat);
                return flat;
            case PropertyKind.Tensor:
                var values = new T[count];
                copy(value, start, values);
                return Tensor.Create(values, shape.Select(d => (nint)d).ToArray());
            default:
                var dims = property.Rank == shape.Length ? shape
                    : property.Rank == shape.Length - 1 && shape[0] == 1 ? shape[1..]
                    : property.Rank == shape.Length + 1 ? [1, .. shape]
                    : throw new ModelInputException(Name, $"the run gave shape [{string.Join(",", shape)}], which a {PropertyShape.Suggest(typeof(T), property.Rank)} cannot hold");
                var array = Array.CreateInstance(typeof(T), dims);
                copy(value, start, array);
                return array;
        }
    }

    public static OutputBinding<TOut> Create(string name, PropertyShape property, PropertyInfo info)
    {
        var copy = typeof(T) == typeof(string)
            ? CopyStrings
            : (Copy)typeof(ShapedOutput<TOut, T>).GetMethod(nameof(CopyRaw), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(typeof(T)).CreateDelegate(typeof(Copy));
        return new ShapedOutput<TOut, T>(name, property, Accessors.Setter<TOut, object?>(info), copy);
    }

    private static void CopyStrings(OrtValue value, int start, Array target)
    {
        var strings = MultiArray.Span<string>(target);
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = value.GetStringElement(start + i);
        }
    }

    /// <summary>The elements as <typeparamref name="TElement"/>, bit for bit (<see cref="Half"/> for float16), straight into the target.</summary>
    private static void CopyRaw<TElement>(OrtValue value, int start, Array target)
        where TElement : unmanaged => MemoryMarshal.Cast<byte, TElement>(value.GetTensorMutableRawData()).Slice(start, target.Length).CopyTo(MultiArray.Span<TElement>(target));
}

/// <summary>One row's map of a <c>seq(map(int64|string, float))</c> output, into a dictionary property.</summary>
internal sealed class MapOutput<TOut, TKey>(string name, Action<TOut, object?> set) : OutputBinding<TOut>(name)
    where TKey : notnull
{
    public override void Read(OrtValue value, TOut output) => ReadRow(value, 0, 1, output);

    /// <summary>Reads the sequence once for the whole batch.</summary>
    public override void ReadRows(OrtValue value, TOut[] outputs)
    {
        var maps = Maps(value);
        for (var row = 0; row < outputs.Length; row++)
        {
            set(outputs[row], row < maps.Count ? maps[row] : new Dictionary<TKey, float>());
        }
    }

    public override void ReadRow(OrtValue value, int row, int rows, TOut output)
    {
        var typed = Maps(value);
        set(output, row < typed.Count ? typed[row] : new Dictionary<TKey, float>());
    }

    private IReadOnlyList<IReadOnlyDictionary<TKey, float>> Maps(OrtValue value)
    {
        var maps = OrtTensors.ReadMaps(Name, value);
        try
        {
            return maps.AsMaps<TKey>();
        }
        catch (InvalidOperationException e)
        {
            throw new ModelMappingException($"Output '{Name}' is not keyed by {typeof(TKey).Name}: {e.Message}");
        }
    }
}
