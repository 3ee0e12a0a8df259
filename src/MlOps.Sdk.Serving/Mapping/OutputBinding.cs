using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>One model output written to one property of <typeparamref name="TOut"/>.</summary>
internal abstract class OutputBinding<TOut>(string name)
{
    public string Name { get; } = name;

    public abstract void Read(OrtValue value, TOut output);

    /// <summary>Reads row <paramref name="row"/> of <paramref name="rows"/> from a batch output.</summary>
    public abstract void ReadRow(OrtValue value, int row, int rows, TOut output);

    /// <summary>Reads every row of a batch output, one result per row.</summary>
    public virtual void ReadRows(OrtValue value, TOut[] outputs)
    {
        for (var row = 0; row < outputs.Length; row++)
        {
            ReadRow(value, row, outputs.Length, outputs[row]);
        }
    }

    /// <summary>A pre-allocated tensor for this output of <paramref name="rows"/> items, when its shape is known; null otherwise (ONNX Runtime allocates it).</summary>
    public virtual OutputSlot<TOut>? CreateSlot(int rows = 1) => null;

    /// <param name="name">The output.</param>
    /// <param name="meta">Its metadata.</param>
    /// <param name="property">The property that receives it.</param>
    /// <param name="batchSymbols">The names of the inputs' free first dimensions: an output whose first dimension has another name is not tied to the batch.</param>
    /// <exception cref="ModelMappingException">The property's type cannot hold the output.</exception>
    public static OutputBinding<TOut> Create(string name, NodeMetadata meta, PropertyInfo property, IReadOnlySet<string> batchSymbols)
    {
        var type = property.PropertyType;
        var shape = PropertyShape.Of(type);
        if (meta.OnnxValueType == OnnxValueType.ONNX_TYPE_SEQUENCE)
        {
            return shape.Kind == PropertyKind.Map && (shape.Element == typeof(long) || shape.Element == typeof(string))
                ? (OutputBinding<TOut>)Activator.CreateInstance(typeof(MapOutput<,>).MakeGenericType(typeof(TOut), shape.Element), name, Accessors.Setter<TOut, object?>(property))!
                : throw new ModelMappingException($"Output '{name}' is a sequence of maps, one per row; {typeof(TOut).Name}.{property.Name} is {type.Name}. Use Dictionary<long, float> or Dictionary<string, float> (or IReadOnlyDictionary).");
        }

        var actual = Accessors.ClrElementType(meta, name, "Output");
        if (shape.Kind == PropertyKind.Map || !shape.Holds(actual))
        {
            throw new ModelMappingException($"Output '{name}' is {Accessors.Describe(meta)}; {typeof(TOut).Name}.{property.Name} is {type.Name}. Use {actual.Name}, {actual.Name}[], {PropertyShape.Suggest(actual, meta.Dimensions.Length)} or Tensor<{actual.Name}>.");
        }

        if (shape.Kind is PropertyKind.Array or PropertyKind.Tensor || shape.Element != actual)
        {
            return (OutputBinding<TOut>)typeof(ShapedOutput<,>).MakeGenericType(typeof(TOut), shape.Element)
                .GetMethod(nameof(ShapedOutput<TOut, int>.Create))!.Invoke(null, [name, shape, property])!;
        }

        if (actual == typeof(string))
        {
            return new StringOutput(name, property, type.IsArray);
        }

        var dims = meta.Dimensions;
        var tiedToBatch = dims.Length == 0 || dims[0] >= 0 || meta.SymbolicDimensions[0] is not { Length: > 0 } symbol || batchSymbols.Contains(symbol);
        var setterType = type.IsArray ? actual.MakeArrayType() : actual;
        var setter = typeof(Accessors).GetMethod(nameof(Accessors.Setter), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(typeof(TOut), setterType).Invoke(null, [property])!;
        return (OutputBinding<TOut>)Activator.CreateInstance(typeof(NumericOutput<>).MakeGenericType(typeof(TOut), actual), name, meta, type.IsArray, setter, tiedToBatch)!;
    }

    private sealed class NumericOutput<T>(string name, NodeMetadata meta, bool isArray, Delegate setter, bool tiedToBatch) : OutputBinding<TOut>(name)
        where T : unmanaged
    {
        public override OutputSlot<TOut>? CreateSlot(int rows = 1)
        {
            // Only the batch dimension may be free, and only when it is the inputs' batch: it is 1 for a single prediction.
            if (!tiedToBatch || meta.Dimensions.Skip(1).Any(d => d < 0) || (rows != 1 && (meta.Dimensions.Length == 0 || meta.Dimensions[0] >= 0)))
            {
                return null;
            }

            var shape = meta.Dimensions.Select((d, i) => i == 0 && d < 0 ? (long)rows : d).ToArray();
            var buffer = GC.AllocateArray<T>((int)shape.Aggregate(1L, (a, b) => a * b), pinned: true);
            return new OutputSlot<TOut>(OrtValue.CreateTensorValueFromMemory(buffer, shape), this);
        }

        private readonly Action<TOut, T>? _scalar = isArray ? null : (Action<TOut, T>)setter;
        private readonly Action<TOut, T[]>? _array = isArray ? (Action<TOut, T[]>)setter : null;

        /// <summary>Reads the batch's data once, not once per row.</summary>
        public override void ReadRows(OrtValue value, TOut[] outputs)
        {
            var data = value.GetTensorDataAsSpan<T>();
            var per = outputs.Length == 0 ? 0 : data.Length / outputs.Length;
            for (var row = 0; row < outputs.Length; row++)
            {
                var slice = data.Slice(row * per, per);
                if (_scalar is not null)
                {
                    _scalar(outputs[row], slice.IsEmpty ? default : slice[0]);
                }
                else
                {
                    _array!(outputs[row], slice.ToArray());
                }
            }
        }

        public override void ReadRow(OrtValue value, int row, int rows, TOut output)
        {
            var data = value.GetTensorDataAsSpan<T>();
            var per = data.Length / rows;
            var slice = data.Slice(row * per, per);
            if (_scalar is not null)
            {
                _scalar(output, slice.IsEmpty ? default : slice[0]);
            }
            else
            {
                _array!(output, slice.ToArray());
            }
        }

        public override void Read(OrtValue value, TOut output)
        {
            var data = value.GetTensorDataAsSpan<T>();
            if (_scalar is not null)
            {
                _scalar(output, data.IsEmpty ? default : data[0]);
            }
            else
            {
                _array!(output, data.ToArray());
            }
        }
    }

    private sealed class StringOutput(string name, PropertyInfo property, bool isArray) : OutputBinding<TOut>(name)
    {
        private readonly Action<TOut, string>? _scalar = isArray ? null : Accessors.Setter<TOut, string>(property);
        private readonly Action<TOut, string[]>? _array = isArray ? Accessors.Setter<TOut, string[]>(property) : null;

        public override void ReadRow(OrtValue value, int row, int rows, TOut output)
        {
            var per = (int)value.GetTensorTypeAndShape().ElementCount / rows;
            if (_scalar is not null)
            {
                _scalar(output, per == 0 ? string.Empty : value.GetStringElement(row * per));
            }
            else
            {
                _array!(output, Enumerable.Range(row * per, per).Select(value.GetStringElement).ToArray());
            }
        }

        public override void Read(OrtValue value, TOut output)
        {
            var count = (int)value.GetTensorTypeAndShape().ElementCount;
            if (_scalar is not null)
            {
                _scalar(output, count == 0 ? string.Empty : value.GetStringElement(0));
            }
            else
            {
                _array!(output, Enumerable.Range(0, count).Select(value.GetStringElement).ToArray());
            }
        }
    }
}
