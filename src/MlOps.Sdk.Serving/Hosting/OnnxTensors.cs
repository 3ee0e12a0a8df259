using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Sdk.Serving.Mapping;

namespace MlOps.Sdk.Serving;

/// <summary>
/// The tensor API's buffers as ONNX Runtime values. Numeric inputs, and outputs whose shape follows from the inputs', are
/// pinned buffers bound to the serving session once: a run allocates nothing. String inputs are copied into a string
/// tensor on each run; outputs whose size is known only after the run (TopK, NonZero, sequences of maps) are allocated
/// by ONNX Runtime on each run and read until the next one.
/// </summary>
internal sealed class OnnxTensors : ModelTensors
{
    private readonly Dictionary<string, Slot> _inputs;
    private readonly Dictionary<string, Slot> _outputs;
    private readonly Slot[] _stringInputs;
    private readonly Slot[] _runOutputs;
    private OrtIoBinding? _binding;
    private Action<OrtIoBinding>? _unbind;
    private object? _boundTo;
    private int _inUse;
    private bool _disposed;

    /// <param name="batchSize">The rows along the first dimension.</param>
    /// <param name="inputs">Every input with its shape for these tensors.</param>
    /// <param name="outputs">The outputs with their shape, or null when it is known only after a run.</param>
    public OnnxTensors(int batchSize, IEnumerable<(string Name, NodeMetadata Meta, long[] Shape)> inputs, IEnumerable<(string Name, NodeMetadata Meta, long[]? Shape)> outputs)
    {
        BatchSize = batchSize;
        _inputs = inputs.ToDictionary(i => i.Name, i => Slot.Create(i.Name, i.Meta, i.Shape));
        _outputs = outputs.ToDictionary(o => o.Name, o => Slot.Create(o.Name, o.Meta, o.Shape));
        _stringInputs = _inputs.Values.Where(s => s.Strings is not null).ToArray();
        _runOutputs = _outputs.Values.Where(s => s.Value is null).ToArray();
    }

    public override int BatchSize { get; }

    public override IReadOnlyCollection<string> InputNames => _inputs.Keys;

    public override IReadOnlyCollection<string> OutputNames => _outputs.Keys;

    public IEnumerable<(string Name, NodeMetadata Meta, OrtValue? Value)> BoundInputs => _inputs.Values.Select(t => (t.Name, t.Meta, t.Value));

    public IEnumerable<(string Name, NodeMetadata Meta, OrtValue? Value)> BoundOutputs => _outputs.Values.Select(t => (t.Name, t.Meta, t.Value));

    public override Span<T> Input<T>(string name) => Find(_inputs, name, "input").Span<T>();

    public override ReadOnlySpan<T> Output<T>(string name) => Find(_outputs, name, "output").Span<T>();

    public override Span<string> InputStrings(string name) => Find(_inputs, name, "input").Strings ?? throw new ModelInputException(name, "its elements are not strings; use Input<T>");

    public override ReadOnlySpan<string> OutputStrings(string name)
    {
        var slot = Find(_outputs, name, "output");
        return slot.Last is { IsTensor: true } value && value.GetTensorTypeAndShape().ElementDataType == TensorElementType.String
            ? slot.StringsOf(value)
            : throw new ModelInputException(name, slot.Last is null ? "it has no value: run the tensors first" : "its elements are not strings; use Output<T>");
    }

    public override IReadOnlyList<IReadOnlyDictionary<TKey, float>> OutputMaps<TKey>(string name)
    {
        var slot = Find(_outputs, name, "output");
        var value = slot.Last ?? throw new ModelInputException(name, "it has no value: run the tensors first, or it is not a sequence of maps");
        try
        {
            return OrtTensors.ReadMaps(name, value).AsMaps<TKey>();
        }
        catch (InvalidOperationException e)
        {
            throw new ModelInputException(name, e.Message);
        }
    }

    public override IReadOnlyList<long> Shape(string name) =>
        (_inputs.TryGetValue(name, out var input) ? input : Find(_outputs, name, "output")).CurrentShape
        ?? throw new ModelInputException(name, "its shape is known after a run: run the tensors first");

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Unbind();
        foreach (var slot in _inputs.Values.Concat(_outputs.Values))
        {
            slot.Dispose();
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

    /// <summary>Binds this run's string inputs (copied from their buffers), if any.</summary>
    public void BeforeRun(OrtIoBinding binding)
    {
        foreach (var slot in _stringInputs)
        {
            slot.Last?.Dispose();
            slot.Last = OrtTensors.Strings(slot.Strings, slot.Shape!);
            binding.BindInput(slot.Name, slot.Last);
        }
    }

    /// <summary>Keeps the outputs ONNX Runtime allocated in this run, if any, until the next one.</summary>
    public void AfterRun(OrtIoBinding binding)
    {
        if (_runOutputs.Length == 0)
        {
            return;
        }

        var names = binding.GetOutputNames();
        var values = binding.GetOutputValues();
        for (var i = 0; i < names.Length; i++)
        {
            if (_outputs.TryGetValue(names[i], out var slot) && slot.Value is null)
            {
                slot.Last?.Dispose();
                slot.Last = values[i];
            }
            else
            {
                values[i].Dispose();
            }
        }
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

    private static Slot Find(Dictionary<string, Slot> tensors, string name, string kind) =>
        tensors.TryGetValue(name, out var tensor)
            ? tensor
            : throw new ModelInputException(name, $"there is no {kind} of that name; the {kind}s are {string.Join(", ", tensors.Keys)}");

    /// <summary>
    /// One tensor: a pinned buffer bound once (<see cref="Value"/>), a string buffer copied on each run
    /// (<see cref="Strings"/>), or an output ONNX Runtime allocates on each run (<see cref="Last"/>).
    /// </summary>
    private sealed class Slot(string name, NodeMetadata meta, long[]? shape, OrtValue? value, Array? buffer, string[]? strings) : IDisposable
    {
        private string[]? _readStrings;
        private OrtValue? _stringsOf;

        public string Name { get; } = name;

        public NodeMetadata Meta { get; } = meta;

        public long[]? Shape { get; } = shape;

        public OrtValue? Value { get; } = value;

        public string[]? Strings { get; } = strings;

        /// <summary>The value of the last run, for outputs ONNX Runtime allocates, or this run's string input.</summary>
        public OrtValue? Last { get; set; }

        public IReadOnlyList<long>? CurrentShape => Shape ?? (Last is { IsTensor: true } last ? last.GetTensorTypeAndShape().Shape : null);

        /// <summary>The buffer as <typeparamref name="T"/>; ONNX Runtime's <see cref="Float16"/> is also readable as <see cref="Half"/>, bit for bit.</summary>
        public Span<T> Span<T>()
            where T : unmanaged
        {
            if (buffer is null)
            {
                if (Last is not { IsTensor: true } last)
                {
                    throw new ModelInputException(Name, Strings is not null ? "its elements are strings; use InputStrings" : "it has no value: run the tensors first");
                }

                var type = last.GetTensorTypeAndShape().ElementDataType;
                return Fits<T>(type) ? MemoryMarshal.Cast<byte, T>(last.GetTensorMutableRawData()) : throw WrongType<T>(type.ToString());
            }

            return buffer switch
            {
                T[] typed => typed,
                Float16[] halves when typeof(T) == typeof(Half) => MemoryMarshal.Cast<Float16, T>(halves.AsSpan()),
                _ => throw WrongType<T>(buffer.GetType().GetElementType()!.Name),
            };
        }

        public string[] StringsOf(OrtValue value)
        {
            if (!ReferenceEquals(_stringsOf, value))
            {
                _readStrings = value.GetStringTensorAsArray();
                _stringsOf = value;
            }

            return _readStrings!;
        }

        public void Dispose()
        {
            Value?.Dispose();
            Last?.Dispose();
        }

        private ModelInputException WrongType<T>(string actual) => new(Name, $"its elements are {actual}, not {typeof(T).Name}");

        private static bool Fits<T>(TensorElementType type) =>
            OrtTensors.ElementType(type) is { } clr && (clr == typeof(T) || (type == TensorElementType.Float16 && typeof(T) == typeof(Half)) || (type == TensorElementType.BFloat16 && typeof(T) == typeof(BFloat16)));

        /// <summary>A slot of <paramref name="shape"/>; an output without one is allocated by each run.</summary>
        public static Slot Create(string name, NodeMetadata meta, long[]? shape)
        {
            if (shape is null)
            {
                return new Slot(name, meta, null, null, null, null);
            }

            var count = checked((int)shape.Aggregate(1L, (a, b) => a * b));
            return meta.ElementDataType switch
            {
                TensorElementType.String => new Slot(name, meta, shape, null, null, Enumerable.Repeat(string.Empty, count).ToArray()),
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
                var other => throw new ModelInputException(name, $"its elements are {other}, which the tensor API does not take"),
            };

            Slot Of<T>(T[] buffer)
                where T : unmanaged => new(name, meta, shape, OrtValue.CreateTensorValueFromMemory(buffer, shape), buffer, null);
        }
    }
}
