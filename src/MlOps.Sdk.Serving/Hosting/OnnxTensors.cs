using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlOps.Sdk.Serving;

/// <summary>The tensor API's buffers as ONNX Runtime values, pinned and bound to the serving session once.</summary>
internal sealed class OnnxTensors : ModelTensors
{
    private readonly Dictionary<string, Tensor> _inputs;
    private readonly Dictionary<string, Tensor> _outputs;
    private OrtIoBinding? _binding;
    private Action<OrtIoBinding>? _unbind;
    private object? _boundTo;
    private int _inUse;
    private bool _disposed;

    public OnnxTensors(int batchSize, IEnumerable<(string Name, NodeMetadata Meta)> inputs, IEnumerable<(string Name, NodeMetadata Meta)> outputs)
    {
        BatchSize = batchSize;
        _inputs = inputs.ToDictionary(i => i.Name, i => Tensor.Create(i.Name, i.Meta, batchSize));
        _outputs = outputs.ToDictionary(o => o.Name, o => Tensor.Create(o.Name, o.Meta, batchSize));
    }

    public override int BatchSize { get; }

    public override IReadOnlyCollection<string> InputNames => _inputs.Keys;

    public override IReadOnlyCollection<string> OutputNames => _outputs.Keys;

    public IEnumerable<(string Name, OrtValue Value, long[] Shape)> BoundInputs => _inputs.Values.Select(t => (t.Name, t.Value, t.Shape));

    public IEnumerable<(string Name, OrtValue Value, long[] Shape)> BoundOutputs => _outputs.Values.Select(t => (t.Name, t.Value, t.Shape));

    public override Span<T> Input<T>(string name) => Find(_inputs, name, "input").Span<T>();

    public override ReadOnlySpan<T> Output<T>(string name) => Find(_outputs, name, "output").Span<T>();

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Unbind();
        foreach (var tensor in _inputs.Values.Concat(_outputs.Values))
        {
            tensor.Value.Dispose();
        }
    }

    /// <summary>Enters a run: one caller at a time, not after disposal.</summary>
    public void Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _inUse, 1) == 1)
        {
            throw new InvalidOperationException("These tensors are already in a run on another thread; use one ModelTensors per thread.");
        }
    }

    public void Exit() => Volatile.Write(ref _inUse, 0);

    /// <summary>
    /// The binding to <paramref name="model"/>'s session, made by <paramref name="bind"/> the first time; the binding
    /// before it goes back to the model that made it through the <paramref name="unbind"/> given with it.
    /// </summary>
    public OrtIoBinding BindingFor(object model, Func<OnnxTensors, OrtIoBinding> bind, Action<OrtIoBinding> unbind)
    {
        if (!ReferenceEquals(_boundTo, model))
        {
            Unbind();
            _binding = bind(this);
            _unbind = unbind;
            _boundTo = model;
        }

        return _binding!;
    }

    private void Unbind()
    {
        if (_binding is not null)
        {
            _unbind!(_binding);
            _binding = null;
            _boundTo = null;
        }
    }

    private static Tensor Find(Dictionary<string, Tensor> tensors, string name, string kind) =>
        tensors.TryGetValue(name, out var tensor)
            ? tensor
            : throw new ModelInputException(name, $"there is no {kind} of that name; the {kind}s are {string.Join(", ", tensors.Keys)}");

    private sealed class Tensor(string name, OrtValue value, Array buffer, long[] shape)
    {
        public string Name { get; } = name;

        public OrtValue Value { get; } = value;

        public long[] Shape { get; } = shape;

        /// <summary>The buffer as <typeparamref name="T"/>; ONNX Runtime's <see cref="Float16"/> is also readable as <see cref="Half"/>, bit for bit.</summary>
        public Span<T> Span<T>()
            where T : unmanaged => buffer switch
            {
                T[] typed => typed,
                Float16[] halves when typeof(T) == typeof(Half) => MemoryMarshal.Cast<Float16, T>(halves.AsSpan()),
                _ => throw new ModelInputException(Name, $"its elements are {buffer.GetType().GetElementType()!.Name}, not {typeof(T).Name}"),
            };

        public static Tensor Create(string name, NodeMetadata meta, int batchSize)
        {
            if (meta.Dimensions.Skip(1).Any(d => d < 0))
            {
                throw new ModelInputException(name, $"only the batch dimension may be free for the tensor API; the model declares [{string.Join(", ", meta.Dimensions)}]");
            }

            var shape = meta.Dimensions.Select((d, i) => i == 0 && d < 0 ? batchSize : (long)d).ToArray();
            var count = (int)shape.Aggregate(1L, (a, b) => a * b);
            return meta.ElementDataType switch
            {
                TensorElementType.Float => Of(GC.AllocateArray<float>(count, pinned: true)),
                TensorElementType.Double => Of(GC.AllocateArray<double>(count, pinned: true)),
                TensorElementType.Int64 => Of(GC.AllocateArray<long>(count, pinned: true)),
                TensorElementType.Int32 => Of(GC.AllocateArray<int>(count, pinned: true)),
                TensorElementType.Bool => Of(GC.AllocateArray<bool>(count, pinned: true)),
                TensorElementType.UInt8 => Of(GC.AllocateArray<byte>(count, pinned: true)),
                TensorElementType.Int8 => Of(GC.AllocateArray<sbyte>(count, pinned: true)),
                TensorElementType.UInt16 => Of(GC.AllocateArray<ushort>(count, pinned: true)),
                TensorElementType.Int16 => Of(GC.AllocateArray<short>(count, pinned: true)),
                TensorElementType.UInt32 => Of(GC.AllocateArray<uint>(count, pinned: true)),
                TensorElementType.UInt64 => Of(GC.AllocateArray<ulong>(count, pinned: true)),
                TensorElementType.Float16 => Of(GC.AllocateArray<Float16>(count, pinned: true)),
                TensorElementType.BFloat16 => Of(GC.AllocateArray<BFloat16>(count, pinned: true)),
                _ => throw new ModelInputException(name, $"its elements are {meta.ElementDataType}; the tensor API takes numbers and bool, not strings or other types (use Predict for strings)"),
            };

            Tensor Of<T>(T[] buffer)
                where T : unmanaged => new(name, OrtValue.CreateTensorValueFromMemory(buffer, shape), buffer, shape);
        }
    }
}
