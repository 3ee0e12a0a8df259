using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>One model input fed from one property: turns a <typeparamref name="TIn"/> into an <see cref="OrtValue"/>.</summary>
internal abstract class InputBinding<TIn>(string name)
{
    public string Name { get; } = name;

    public abstract OrtValue Create(TIn input);

    /// <summary>One tensor holding every input of a batch along the first (batch) dimension.</summary>
    public abstract OrtValue CreateBatch(ReadOnlySpan<TIn> inputs);

    /// <summary>A reusable tensor for this input holding <paramref name="rows"/> items, when its size is fixed; null otherwise (a value is created per call).</summary>
    public virtual InputSlot<TIn>? CreateSlot(int rows = 1) => null;

    /// <summary>Whether every call feeds the same shape (false when the shape is the caller's, per call).</summary>
    public virtual bool FixedShape => true;

    /// <exception cref="ModelMappingException">The property's type cannot hold the input.</exception>
    public static InputBinding<TIn> Create(string name, NodeMetadata meta, PropertyInfo property)
    {
        var type = property.PropertyType;
        var shape = PropertyShape.Of(type);
        var expected = Accessors.ClrElementType(meta, name, "Input");
        var dims = meta.Dimensions;
        var use = $"Use {expected.Name}, {expected.Name}[], {PropertyShape.Suggest(expected, dims.Length)} or Tensor<{expected.Name}>.";
        if (shape.Kind == PropertyKind.Map || !shape.Holds(expected))
        {
            throw new ModelMappingException($"Input '{name}' is {Accessors.Describe(meta)}; {typeof(TIn).Name}.{property.Name} is {type.Name}. {use}");
        }

        var freeInner = dims.Skip(1).Count(d => d < 0);
        if (shape.Kind == PropertyKind.Vector && freeInner > 1)
        {
            throw new ModelMappingException(
                $"Input '{name}' is {Accessors.Describe(meta)}: a flat {type.Name} ({typeof(TIn).Name}.{property.Name}) cannot say its {freeInner} free sizes. " +
                $"Use {PropertyShape.Suggest(shape.Element, dims.Length)} (or {PropertyShape.Suggest(shape.Element, dims.Length - 1)} for one row) or Tensor<{shape.Element.Name}>.");
        }

        if (shape.Kind == PropertyKind.Array && shape.Rank != dims.Length && !(shape.Rank == dims.Length - 1 && dims[0] is < 0 or 1))
        {
            throw new ModelMappingException($"Input '{name}' is {Accessors.Describe(meta)}; {typeof(TIn).Name}.{property.Name} is {type.Name}. Use {PropertyShape.Suggest(shape.Element, dims.Length)} or, for one row, {PropertyShape.Suggest(shape.Element, dims.Length - 1)}.");
        }

        var perCallShape = shape.Kind is PropertyKind.Array or PropertyKind.Tensor
            || shape.Element != expected
            || (shape.Kind == PropertyKind.Vector && (expected == typeof(string) || freeInner > 0 || (dims.Length == 1 && dims[0] < 0)));
        if (perCallShape)
        {
            return (InputBinding<TIn>)Activator.CreateInstance(
                typeof(ShapedInput<,>).MakeGenericType(typeof(TIn), shape.Element), name, meta, shape, Accessors.Getter<TIn, object?>(property))!;
        }

        var fixedLength = dims.Where(d => d >= 0).Aggregate(1L, (a, b) => a * b);
        return expected == typeof(string)
            ? new StringInput(name, meta, Accessors.Getter<TIn, string?>(property))
            : (InputBinding<TIn>)Activator.CreateInstance(
                typeof(NumericInput<>).MakeGenericType(typeof(TIn), expected),
                name,
                meta,
                type.IsArray ? null : Delegate(property, expected, array: false),
                type.IsArray ? Delegate(property, expected, array: true) : null,
                fixedLength)!;
    }

    private static Delegate Delegate(PropertyInfo property, Type element, bool array)
    {
        var method = typeof(Accessors).GetMethod(nameof(Accessors.Getter), BindingFlags.NonPublic | BindingFlags.Static)!;
        return (Delegate)method.MakeGenericMethod(typeof(TIn), array ? element.MakeArrayType() : element).Invoke(null, [property])!;
    }

    private sealed class StringInput(string name, NodeMetadata meta, Func<TIn, string?> get) : InputBinding<TIn>(name)
    {
        private readonly long[] _shape = Accessors.ShapeFor(meta, 1);

        public override OrtValue CreateBatch(ReadOnlySpan<TIn> inputs)
        {
            var values = new string[inputs.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = get(inputs[i]) ?? throw new ModelInputException(Name, $"the string of item {i} is null");
            }

            var shape = _shape.Select(d => (int)d).ToArray();
            shape[0] = inputs.Length;
            return OrtValue.CreateFromStringTensor(new DenseTensor<string>(values, shape));
        }

        public override OrtValue Create(TIn input)
        {
            var value = get(input) ?? throw new ModelInputException(Name, "the string is null");
            return OrtValue.CreateFromStringTensor(new DenseTensor<string>(new[] { value }, _shape.Select(d => (int)d).ToArray()));
        }
    }

    internal sealed class NumericInput<T>(string name, NodeMetadata meta, Func<TIn, T>? scalar, Func<TIn, T[]?>? array, long length) : InputBinding<TIn>(name)
        where T : unmanaged
    {
        private readonly NodeMetadata _meta = meta;
        private readonly long[] _scalarShape = Accessors.ShapeFor(meta, 1);

        public override InputSlot<TIn>? CreateSlot(int rows = 1)
        {
            var per = scalar is not null ? 1 : (int)length;
            if (per <= 0)
            {
                return null;
            }

            var shape = Accessors.ShapeFor(_meta, per);
            if (rows != 1)
            {
                shape[0] = rows; // a batch: the free first dimension (only such inputs are batched)
            }

            return new Slot(this, GC.AllocateArray<T>(per * rows, pinned: true), shape, per);
        }

        public override OrtValue CreateBatch(ReadOnlySpan<TIn> inputs)
        {
            var per = scalar is not null ? 1 : (int)length;

            var buffer = new T[inputs.Length * per];
            for (var i = 0; i < inputs.Length; i++)
            {
                if (scalar is not null)
                {
                    buffer[i] = scalar(inputs[i]);
                    continue;
                }

                var values = array!(inputs[i]) ?? throw new ModelInputException(Name, $"the array of item {i} is null");
                if (values.Length != per)
                {
                    throw new ModelInputException(Name, $"item {i} has {values.Length} values where the model takes {per} ({Accessors.Describe(_meta)})");
                }

                values.AsSpan().CopyTo(buffer.AsSpan(i * per));
            }

            var shape = Accessors.ShapeFor(_meta, per);
            shape[0] = inputs.Length;
            return OrtValue.CreateTensorValueFromMemory(buffer, shape);
        }

        private void Fill(TIn input, Span<T> destination, int item)
        {
            if (scalar is not null)
            {
                destination[0] = scalar(input);
                return;
            }

            var values = array!(input) ?? throw new ModelInputException(Name, item < 0 ? "the array is null" : $"the array of item {item} is null");
            if (values.Length != destination.Length)
            {
                throw new ModelInputException(Name, $"{(item < 0 ? "" : $"item {item} has ")}{values.Length} values where the model takes {destination.Length} ({Accessors.Describe(_meta)})");
            }

            values.CopyTo(destination);
        }

        private sealed class Slot(NumericInput<T> binding, T[] buffer, long[] shape, int per) : InputSlot<TIn>(OrtValue.CreateTensorValueFromMemory(buffer, shape))
        {
            public override void Write(TIn input) => binding.Fill(input, buffer, item: -1);

            public override void WriteRows(ReadOnlySpan<TIn> inputs)
            {
                for (var i = 0; i < inputs.Length; i++)
                {
                    binding.Fill(inputs[i], buffer.AsSpan(i * per, per), i);
                }
            }
        }

        public override OrtValue Create(TIn input)
        {
            if (scalar is not null)
            {
                return OrtValue.CreateTensorValueFromMemory(new[] { scalar(input) }, _scalarShape);
            }

            var values = array!(input) ?? throw new ModelInputException(Name, "the array is null");
            if (values.Length != length)
            {
                throw new ModelInputException(Name, $"{values.Length} values where the model takes {length} ({Accessors.Describe(_meta)})");
            }

            return OrtValue.CreateTensorValueFromMemory(values, Accessors.ShapeFor(_meta, values.Length));
        }
    }
}
