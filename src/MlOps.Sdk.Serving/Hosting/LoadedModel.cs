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
    private int _leases = 1;

    public LoadedModel(ModelVersion version, byte[] content, ServingOptions options)
    {
        using var sessionOptions = options.CreateSessionOptions();
        _session = new InferenceSession(content, sessionOptions);
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
    }

    public ModelVersion Version { get; }

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

            _runOptions.Dispose();
            _session.Dispose();
        }
    }

    /// <summary>Gives up the host's own lease: the session goes once the calls in flight are done.</summary>
    public void Dispose() => Release();

    /// <summary>Runs the model once on zeros (empty strings), free dimensions set to 1: the first run's costs are paid here.</summary>
    public void WarmUp()
    {
        var inputs = new List<OrtValue>();
        try
        {
            foreach (var name in Mapping.InputNames)
            {
                var meta = _session.InputMetadata[name];
                var shape = meta.Dimensions.Select(d => (long)Math.Max(1, d)).ToArray();
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
        }
        finally
        {
            foreach (var value in inputs)
            {
                value.Dispose();
            }
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
            context = new RunContext(Mapping);
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
    private sealed class RunContext : IDisposable
    {
        private readonly InputSlot<TIn>?[] _inputSlots;
        private readonly OrtValue[] _inputs;
        private readonly OutputSlot<TOut>[]? _outputSlots;
        private readonly OrtValue[]? _outputs;

        public RunContext(TensorMapping<TIn, TOut> mapping)
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
        }

        public TOut Run(InferenceSession session, RunOptions runOptions, TensorMapping<TIn, TOut> mapping, TIn input)
        {
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
