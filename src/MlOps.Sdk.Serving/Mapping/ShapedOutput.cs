using System.Numerics.Tensors;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>
/// An output read with the shape the run gave it: into a multi-dimensional array (of the output's rank, or of one row's)
/// or a <see cref="Tensor{T}"/>, or as <see cref="Half"/> for float16. ONNX Runtime allocates it; it is copied out.
/// </summary>
internal sealed class ShapedOutput<TOut, T>(string name, PropertyShape property, Action<TOut, object?> set, Func<OrtValue, T[]> flat) : OutputBinding<TOut>(name)
{
    public override void Read(OrtValue value, TOut output) => set(output, Build(flat(value), value.GetTensorTypeAndShape().Shape));

    public override void ReadRow(OrtValue value, int row, int rows, TOut output)
    {
        var shape = value.GetTensorTypeAndShape().Shape;
        var all = flat(value);
        var per = rows == 0 ? 0 : all.Length / rows;
        set(output, Build(all.AsSpan(row * per, per).ToArray(), shape.Length == 0 ? [] : shape[1..]));
    }

    private object? Build(T[] values, long[] shape)
    {
        switch (property.Kind)
        {
            case PropertyKind.Scalar:
                return values.Length == 0 ? default : values[0];
            case PropertyKind.Vector:
                return values;
            case PropertyKind.Tensor:
                return Tensor.Create(values, shape.Select(d => (nint)d).ToArray());
            default:
                var dims = property.Rank == shape.Length ? shape
                    : property.Rank == shape.Length - 1 && shape[0] == 1 ? shape[1..]
                    : property.Rank == shape.Length + 1 ? [1, .. shape]
                    : throw new ModelInputException(Name, $"the run gave shape [{string.Join(",", shape)}], which a {PropertyShape.Suggest(typeof(T), property.Rank)} cannot hold");
                var array = Array.CreateInstance(typeof(T), dims);
                values.CopyTo(MultiArray.Span<T>(array));
                return array;
        }
    }

    public static OutputBinding<TOut> Create(string name, PropertyShape property, PropertyInfo info)
    {
        var read = typeof(T) == typeof(string)
            ? (Func<OrtValue, T[]>)(object)(Func<OrtValue, string[]>)(v => v.GetStringTensorAsArray())
            : (Func<OrtValue, T[]>)typeof(ShapedOutput<TOut, T>).GetMethod(nameof(Raw), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(typeof(T)).CreateDelegate(typeof(Func<OrtValue, T[]>));
        return new ShapedOutput<TOut, T>(name, property, Accessors.Setter<TOut, object?>(info), read);
    }

    /// <summary>The elements as <typeparamref name="TElement"/>, bit for bit (<see cref="Half"/> for float16).</summary>
    private static TElement[] Raw<TElement>(OrtValue value)
        where TElement : unmanaged => MemoryMarshal.Cast<byte, TElement>(value.GetTensorMutableRawData()).ToArray();
}

/// <summary>One row's map of a <c>seq(map(int64|string, float))</c> output, into a dictionary property.</summary>
internal sealed class MapOutput<TOut, TKey>(string name, Action<TOut, object?> set) : OutputBinding<TOut>(name)
    where TKey : notnull
{
    public override void Read(OrtValue value, TOut output) => ReadRow(value, 0, 1, output);

    public override void ReadRow(OrtValue value, int row, int rows, TOut output)
    {
        var maps = OrtTensors.ReadMaps(Name, value);
        IReadOnlyList<IReadOnlyDictionary<TKey, float>> typed;
        try
        {
            typed = maps.AsMaps<TKey>();
        }
        catch (InvalidOperationException e)
        {
            throw new ModelMappingException($"Output '{Name}' is not keyed by {typeof(TKey).Name}: {e.Message}");
        }

        set(output, row < typed.Count ? typed[row] : new Dictionary<TKey, float>());
    }
}
