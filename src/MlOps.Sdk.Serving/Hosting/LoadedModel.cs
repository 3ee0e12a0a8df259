using Microsoft.ML.OnnxRuntime;
using MlOps.Sdk.Serving.Mapping;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Serving.Hosting;

/// <summary>
/// One model version with its session. Calls lease it; the host holds one lease of its own until the version is
/// swapped out; the session is disposed when the last lease is returned, never under a running call.
/// </summary>
internal sealed class LoadedModel<TIn, TOut> : IDisposable
    where TOut : new()
{
    private readonly InferenceSession _session;
    private const int MaxIdleContexts = 16;
    private readonly RunOptions _runOptions = new();
    private readonly System.Collections.Concurrent.ConcurrentBag<RunContext> _contexts = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<OrtIoBinding, byte> _bindings = new();
    private readonly Func<OnnxTensors, OrtIoBinding> _bind;
    private readonly Action<OrtIoBinding> _unbind;
    private int _leases = 1;

    public LoadedModel(ModelVersion version, byte[] content, ServingOptions options, SessionOptions sessionOptions)
    {
        _session = new InferenceSession(options.TrimUnreadOutputs ? Trim(content) : content, sessionOptions);
        try
        {
            Mapping = TensorMapping<TIn, TOut>.Create(_session);
        }
        catch
        {
            _session.Dispose();
            throw;
        }

        Version = version;
        _bind = Bind;
        _unbind = Unbind;
        CanBatch = Mapping.InputNames.Select(n => _session.InputMetadata[n]).Concat(Mapping.OutputNames.Select(n => _session.OutputMetadata[n]))
            .All(meta => meta.Dimensions.Length > 0 && meta.Dimensions[0] < 0 && meta.Dimensions.Skip(1).All(d => d > 0));
    }

    /// <summary>Whether every mapped input and output has a free first (batch) dimension and fixed sizes otherwise.</summary>
    public bool CanBatch { get; }

    public ModelVersion Version { get; }

    /// <summary>The model computing only what TOut reads; unreadable bytes go to ONNX Runtime as they are, for its error.</summary>
    private static byte[] Trim(byte[] content)
    {
        try
        {
            return OutputPruner.Prune(content, TensorMapping<TIn, TOut>.OutputsRead(OutputPruner.OutputNames(content)));
        }
        catch (Versioning.Onnx.OnnxFormatException)
        {
            return content;
        }
    }

    public TensorMapping<TIn, TOut> Mapping { get; }

    public bool IsDisposed => Volatile.Read(ref _leases) == 0;

    public bool TryLease()
    {
        while (true)
        {
            var leases = Volatile.Read(ref _leases);
            if (leases == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _leases, leases + 1, leases) == leases)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _leases) == 0)
        {
            while (_contexts.TryTake(out var context))
            {
                context.Dispose();
            }

            foreach (var binding in _bindings.Keys)
            {
                binding.Dispose();
            }

            _runOptions.Dispose();
            _session.Dispose();
        }
    }

    /// <summary>Gives up the host's own lease: the session goes once the calls in flight are done.</summary>
    public void Dispose() => Release();

    /// <summary>
    /// Runs the model once on synthetic inputs, so that the first call does not pay for the first run: zeros (empty
    /// strings), each free dimension 1, a zero-size dimension kept. Returns what the run threw, if anything: zeros are not
    /// valid input for every model, so a failure here says nothing about real inputs.
    /// </summary>
    public Exception? TryWarmUpSynthetic()
    {
        var inputs = new List<OrtValue>();
        try
        {
            foreach (var name in Mapping.InputNames)
            {
                var meta = _session.InputMetadata[name];
                var shape = meta.Dimensions.Select(d => d < 0 ? 1L : d).ToArray();
                var count = (int)shape.Aggregate(1L, (a, b) => a * b);
                inputs.Add(meta.ElementDataType switch
                {
                    Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(new float[count], shape),
                    Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(new double[count], shape),
                    Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(new long[count], shape),
                    Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(new int[count], shape),
                    Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Bool => OrtValue.CreateTensorValueFromMemory(new bool[count], shape),
                    _ => OrtValue.CreateFromStringTensor(new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<string>(Enumerable.Repeat(string.Empty, count).ToArray(), shape.Select(d => (int)d).ToArray())),
                });
            }

            using var outputs = _session.Run(_runOptions, Mapping.InputNames, inputs, Mapping.OutputNames);
            return null;
        }
        catch (OnnxRuntimeException e)
        {
            return e;
        }
        finally
        {
            foreach (var value in inputs)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>Tensors shaped for this version's inputs and the given outputs (by default, those TOut maps).</summary>
    public OnnxTensors CreateTensors(int batchSize, IReadOnlyCollection<string>? outputs)
    {
        var names = outputs is { Count: > 0 } ? outputs : Mapping.OutputNames;
        return new OnnxTensors(
            batchSize,
            Mapping.InputNames.Select(n => (n, _session.InputMetadata[n])),
            names.Select(n => (n, _session.OutputMetadata.TryGetValue(n, out var meta)
                ? meta
                : throw new ModelInputException(n, $"the model has no such output; its outputs are {string.Join(", ", _session.OutputMetadata.Keys)}"))));
    }

    /// <summary>Runs on caller-held tensors, binding them to this session on their first run here.</summary>
    public void Run(OnnxTensors tensors) => _session.RunWithBinding(_runOptions, tensors.BindingFor(this, _bind, _unbind));

    private OrtIoBinding Bind(OnnxTensors tensors)
    {
        var binding = _session.CreateIoBinding();
        try
        {
            foreach (var (name, value, shape) in tensors.BoundInputs)
            {
                Check(name, shape, value, _session.InputMetadata.TryGetValue(name, out var meta) ? meta : null, tensors.BatchSize);
                binding.BindInput(name, value);
            }

            foreach (var (name, value, shape) in tensors.BoundOutputs)
            {
                Check(name, shape, value, _session.OutputMetadata.TryGetValue(name, out var meta) ? meta : null, tensors.BatchSize);
                binding.BindOutput(name, value);
            }
        }
        catch
        {
            binding.Dispose();
            throw;
        }

        _bindings.TryAdd(binding, 0);
        return binding;
    }

    private void Unbind(OrtIoBinding binding)
    {
        _bindings.TryRemove(binding, out _);
        binding.Dispose();
    }

    private void Check(string name, long[] shape, OrtValue value, NodeMetadata? meta, int batchSize)
    {
        var expected = meta?.Dimensions.Select((d, i) => i == 0 && d < 0 ? batchSize : (long)d).ToArray();
        if (expected is null || !expected.SequenceEqual(shape) || meta!.ElementDataType != value.GetTensorTypeAndShape().ElementDataType)
        {
            throw new ModelInputException(name, $"version {Version.Number} takes {(meta is null ? "no such tensor" : Accessors.Describe(meta))}; these tensors were made for another shape: create new ones with CreateTensors");
        }
    }

    public TOut[] RunBatch(ReadOnlySpan<TIn> inputs)
    {
        var values = new OrtValue[Mapping.Inputs.Length];
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = Mapping.Inputs[i].CreateBatch(inputs);
            }

            using var outputs = _session.Run(_runOptions, Mapping.InputNames, values, Mapping.OutputNames);
            var results = new TOut[inputs.Length];
            for (var row = 0; row < results.Length; row++)
            {
                results[row] = new TOut();
                for (var o = 0; o < Mapping.Outputs.Length; o++)
                {
                    Mapping.Outputs[o].ReadRow(outputs[o], row, results.Length, results[row]);
                }
            }

            return results;
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
        }
    }

    public TOut Run(TIn input)
    {
        if (!_contexts.TryTake(out var context))
        {
            context = new RunContext(_session, Mapping);
        }

        var healthy = false;
        try
        {
            var result = context.Run(_session, _runOptions, Mapping, input);
            healthy = true;
            return result;
        }
        finally
        {
            if (healthy && _contexts.Count < MaxIdleContexts)
            {
                _contexts.Add(context);
            }
            else
            {
                context.Dispose();
            }
        }
    }

    /// <summary>What one call needs, kept between calls: input tensors over reusable buffers and pre-allocated outputs.</summary>
    /// <remarks>When every input and output has a fixed size, they are bound to the session once and each call runs the binding.</remarks>
    private sealed class RunContext : IDisposable
    {
        private readonly InputSlot<TIn>?[] _inputSlots;
        private readonly OrtValue[] _inputs;
        private readonly OutputSlot<TOut>[]? _outputSlots;
        private readonly OrtValue[]? _outputs;
        private readonly OrtIoBinding? _binding;

        public RunContext(InferenceSession session, TensorMapping<TIn, TOut> mapping)
        {
            _inputSlots = mapping.Inputs.Select(i => i.CreateSlot()).ToArray();
            _inputs = new OrtValue[_inputSlots.Length];
            var outputSlots = mapping.Outputs.Select(o => o.CreateSlot()).ToArray();
            if (outputSlots.All(o => o is not null))
            {
                _outputSlots = outputSlots!;
                _outputs = _outputSlots.Select(o => o.Value).ToArray();
            }
            else
            {
                foreach (var slot in outputSlots)
                {
                    slot?.Dispose();
                }
            }

            if (_outputs is not null && _inputSlots.All(s => s is not null))
            {
                _binding = session.CreateIoBinding();
                for (var i = 0; i < _inputSlots.Length; i++)
                {
                    _binding.BindInput(mapping.InputNames[i], _inputSlots[i]!.Value);
                }

                for (var i = 0; i < _outputs.Length; i++)
                {
                    _binding.BindOutput(mapping.OutputNames[i], _outputs[i]);
                }
            }
        }

        public TOut Run(InferenceSession session, RunOptions runOptions, TensorMapping<TIn, TOut> mapping, TIn input)
        {
            if (_binding is not null)
            {
                foreach (var slot in _inputSlots)
                {
                    slot!.Write(input);
                }

                session.RunWithBinding(runOptions, _binding);
                var bound = new TOut();
                foreach (var slot in _outputSlots!)
                {
                    slot.Read(bound);
                }

                return bound;
            }

            var createdAny = false;
            try
            {
                for (var i = 0; i < _inputs.Length; i++)
                {
                    if (_inputSlots[i] is { } slot)
                    {
                        slot.Write(input);
                        _inputs[i] = slot.Value;
                    }
                    else
                    {
                        _inputs[i] = mapping.Inputs[i].Create(input);
                        createdAny = true;
                    }
                }

                var result = new TOut();
                if (_outputs is not null)
                {
                    session.Run(runOptions, mapping.InputNames, _inputs, mapping.OutputNames, _outputs);
                    foreach (var slot in _outputSlots!)
                    {
                        slot.Read(result);
                    }
                }
                else
                {
                    using var outputs = session.Run(runOptions, mapping.InputNames, _inputs, mapping.OutputNames);
                    for (var i = 0; i < mapping.Outputs.Length; i++)
                    {
                        mapping.Outputs[i].Read(outputs[i], result);
                    }
                }

                return result;
            }
            finally
            {
                for (var i = 0; i < _inputs.Length && createdAny; i++)
                {
                    if (_inputSlots[i] is null)
                    {
                        _inputs[i]?.Dispose();
                    }
                }
            }
        }

        public void Dispose()
        {
            _binding?.Dispose();
            foreach (var slot in _inputSlots)
            {
                slot?.Dispose();
            }

            foreach (var slot in _outputSlots ?? [])
            {
                slot.Dispose();
            }
        }
    }
}
