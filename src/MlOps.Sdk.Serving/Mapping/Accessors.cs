using System.Linq.Expressions;
using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>Compiled property accessors and shape helpers shared by the bindings.</summary>
internal static class Accessors
{
    internal static string Describe(NodeMetadata meta) =>
        $"{meta.ElementDataType.ToString().ToLowerInvariant()}[{string.Join(",", meta.Dimensions.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";

    /// <summary>Compiled once per property and value type: every version a host loads reuses them.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(PropertyInfo, Type, bool), Delegate> Compiled = new();

    internal static Func<T, TValue> Getter<T, TValue>(PropertyInfo property) =>
        (Func<T, TValue>)Compiled.GetOrAdd((property, typeof(Func<T, TValue>), false), static key =>
        {
            var instance = Expression.Parameter(typeof(T));
            return Expression.Lambda<Func<T, TValue>>(Expression.Convert(Expression.Property(instance, key.Item1), typeof(TValue)), instance).Compile();
        });

    internal static Action<T, TValue> Setter<T, TValue>(PropertyInfo property) =>
        (Action<T, TValue>)Compiled.GetOrAdd((property, typeof(Action<T, TValue>), true), static key =>
        {
            var instance = Expression.Parameter(typeof(T));
            var value = Expression.Parameter(typeof(TValue));
            return Expression.Lambda<Action<T, TValue>>(Expression.Assign(Expression.Property(instance, key.Item1), Expression.Convert(value, key.Item1.PropertyType)), instance, value).Compile();
        });

    internal static long[] ShapeFor(NodeMetadata meta, int elements)
    {
        var dims = meta.Dimensions.Select(d => (long)d).ToArray();
        var fixedProduct = dims.Where(d => d > 0).Aggregate(1L, (a, b) => a * b);
        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
            {
                // The batch dimension (the first free one) is 1; a second free dimension takes the rest.
                dims[i] = i == 0 && Array.IndexOf(dims, -1L, 1) >= 0 ? 1 : Math.Max(1, elements / Math.Max(1, fixedProduct));
            }
        }

        return dims;
    }


    /// <summary>The CLR element type typed mapping uses for a tensor's element type.</summary>
    /// <exception cref="ModelMappingException">Typed mapping does not support the element type.</exception>
    internal static Type ClrElementType(NodeMetadata meta, string name, string side) =>
        (meta.IsTensor ? OrtTensors.ElementType(meta.ElementDataType) : null)
        ?? throw new ModelMappingException($"{side} '{name}' is {(meta.IsTensor ? $"of element type {meta.ElementDataType}" : $"a {meta.OnnxValueType}")}, which typed mapping does not support; use the untyped host.");
}
