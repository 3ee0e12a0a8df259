using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>How a property holds a tensor.</summary>
internal enum PropertyKind
{
    /// <summary>One element: a tensor of one element, or one row's element.</summary>
    Scalar,

    /// <summary><c>T[]</c>: the elements row-major, the shape from the model (one free size inferred).</summary>
    Vector,

    /// <summary><c>T[,]</c>, <c>T[,,]</c>…: the shape is the array's (of one row when one rank short of the model's).</summary>
    Array,

    /// <summary><see cref="Tensor{T}"/>: the shape is the tensor's.</summary>
    Tensor,

    /// <summary>A dictionary from <see cref="long"/> or <see cref="string"/> to <see cref="float"/>: one row of a sequence of maps.</summary>
    Map,
}

/// <summary>What a property's type says: its kind, element type and (for arrays) rank.</summary>
internal readonly record struct PropertyShape(PropertyKind Kind, Type Element, int Rank)
{
    public static PropertyShape Of(Type type)
    {
        if (type.IsSZArray)
        {
            return new(PropertyKind.Vector, type.GetElementType()!, 1);
        }

        if (type.IsArray)
        {
            return new(PropertyKind.Array, type.GetElementType()!, type.GetArrayRank());
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Tensor<>))
        {
            return new(PropertyKind.Tensor, type.GetGenericArguments()[0], -1);
        }

        if (type.IsGenericType && type.GetGenericArguments() is [var key, var value] && value == typeof(float)
            && (type.GetGenericTypeDefinition() == typeof(Dictionary<,>) || type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) || type.GetGenericTypeDefinition() == typeof(IDictionary<,>)))
        {
            return new(PropertyKind.Map, key, 1);
        }

        return new(PropertyKind.Scalar, type, 0);
    }

    /// <summary>Whether elements of this type can hold the model's <paramref name="expected"/> type: the same, or <see cref="Half"/> for ONNX Runtime's float16.</summary>
    public bool Holds(Type expected) => Element == expected || (Element == typeof(Half) && expected == typeof(Microsoft.ML.OnnxRuntime.Float16));

    /// <summary>The type name a property should have, for error messages: <c>float[,,]</c>.</summary>
    public static string Suggest(Type element, int rank) => $"{element.Name}[{new string(',', Math.Max(0, rank - 1))}]";
}

/// <summary>The elements of an array of any rank, row-major, as one span.</summary>
internal static class MultiArray
{
    public static Span<T> Span<T>(Array array) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(array)), array.Length);

    public static long[] Lengths(Array array) => Enumerable.Range(0, array.Rank).Select(d => (long)array.GetLength(d)).ToArray();
}

/// <summary>
/// An array of any rank (and of any element type of <typeparamref name="T"/>'s size: <see cref="Half"/> as ONNX Runtime's
/// float16) as <see cref="Memory{T}"/>, pinned while ONNX Runtime uses it: tensors over the caller's arrays, not copies.
/// </summary>
internal sealed class ArrayMemory<T>(Array array) : System.Buffers.MemoryManager<T>
    where T : unmanaged
{
    public override Span<T> GetSpan() => MultiArray.Span<T>(array);

    public override unsafe System.Buffers.MemoryHandle Pin(int elementIndex = 0)
    {
        var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        var first = (T*)Unsafe.AsPointer(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(array)));
        return new System.Buffers.MemoryHandle(first + elementIndex, handle, this);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
