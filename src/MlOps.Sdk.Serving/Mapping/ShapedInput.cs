using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>
/// An input whose shape is the caller's, per call: a multi-dimensional array or <see cref="Tensor{T}"/> (its own shape,
/// or one row's when one rank short of the model's), or a flat array for a model with one free size past the batch one
/// (inferred from the length). Arrays are passed to ONNX Runtime pinned, not copied; strings are copied.
/// </summary>
internal sealed class ShapedInput<TIn, T>(string name, NodeMetadata meta, PropertyShape property, Func<TIn, object?> get) : InputBinding<TIn>(name)
{
    public override bool FixedShape => false;

    public override OrtValue Create(TIn input)
    {
        var (values, shape) = Read(input, null);
        return Value(values, shape);
    }

    public override OrtValue CreateBatch(ReadOnlySpan<TIn> inputs)
    {
        var parts = new (Array Values, long[] Shape)[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            parts[i] = Read(inputs[i], i);
            if (parts[i].Shape.Length == 0 || !parts[i].Shape.AsSpan(1).SequenceEqual(parts[0].Shape.AsSpan(1)))
            {
                throw new ModelInputException(Name, $"item {i} has shape [{string.Join(",", parts[i].Shape)}] and item 0 [{string.Join(",", parts[0].Shape)}]; items of one batch must have the same shape past the first dimension");
            }
        }

        var stacked = new T[parts.Sum(p => p.Values.Length)];
        var at = 0;
        foreach (var (values, _) in parts)
        {
            MultiArray.Span<T>(values).CopyTo(stacked.AsSpan(at));
            at += values.Length;
        }

        var shape = (long[])parts[0].Shape.Clone();
        shape[0] = parts.Sum(p => p.Shape[0]);
        return Value(stacked, shape);
    }

    private OrtValue Value(Array values, long[] shape) => typeof(T) == typeof(string)
        ? OrtTensors.Strings(MultiArray.Span<string>(values), shape)
        : OrtTensors.Over(values, meta.ElementDataType, shape);

    /// <summary>The values (row-major) and the shape they have for the model.</summary>
    private (Array Values, long[] Shape) Read(TIn input, int? item)
    {
        var where = item is { } i ? $"item {i}: " : string.Empty;
        var value = get(input) ?? throw new ModelInputException(Name, $"{where}the value is null");
        var (values, lengths) = value switch
        {
            Tensor<T> tensor => (Flatten(tensor), tensor.Lengths.ToArray().Select(l => (long)l).ToArray()),
            T[] flat => ((Array)flat, null),
            T one => (new[] { one }, null),
            Array array => (array, MultiArray.Lengths(array)),
            _ => throw new ModelInputException(Name, $"{where}{value.GetType().Name} is not a tensor"),
        };
        var shape = lengths is null ? Infer(values.Length, where) : Fit(lengths, where);
        return (values, shape);
    }

    private static T[] Flatten(Tensor<T> tensor)
    {
        var values = new T[tensor.FlattenedLength];
        tensor.FlattenTo(values);
        return values;
    }

    /// <summary>The model's shape for a flat array of <paramref name="count"/> values: the batch size 1, the one free size past it inferred.</summary>
    private long[] Infer(int count, string where)
    {
        var dims = meta.Dimensions.Select(d => (long)d).ToArray();
        if (dims.Length == 1)
        {
            return dims[0] < 0 || dims[0] == count ? [count] : throw Mismatch(where, $"{count} values");
        }

        if (dims[0] < 0)
        {
            dims[0] = 1;
        }

        var free = Array.FindIndex(dims, d => d < 0);
        var known = dims.Where(d => d >= 0).Aggregate(1L, (a, b) => a * b);
        if (free >= 0)
        {
            dims[free] = known == 0 ? 0 : count / known;
        }

        return dims.Aggregate(1L, (a, b) => a * b) == count ? dims : throw Mismatch(where, $"{count} values");
    }

    /// <summary>The model's shape for an array or tensor of <paramref name="lengths"/>: its own, or one row's.</summary>
    private long[] Fit(long[] lengths, string where)
    {
        var dims = meta.Dimensions;
        var shape = lengths.Length == dims.Length - 1 && dims[0] is < 0 or 1 ? [1, .. lengths] : lengths;
        if (shape.Length != dims.Length || dims.Where((d, i) => d >= 0 && d != shape[i]).Any())
        {
            throw Mismatch(where, $"shape [{string.Join(",", lengths)}]");
        }

        return shape;
    }

    private ModelInputException Mismatch(string where, string given) =>
        new(Name, $"{where}{given} where the model takes {Accessors.Describe(meta)}{(property.Kind == PropertyKind.Vector ? string.Empty : $" ({property.Element.Name} of rank {meta.Dimensions.Length} or, for one row, {meta.Dimensions.Length - 1})")}");
}
