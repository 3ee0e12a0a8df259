using Microsoft.ML.OnnxRuntime;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>
/// The typed codec: <typeparamref name="TIn"/> properties feed the inputs, <typeparamref name="TOut"/> properties receive
/// the outputs. Single calls reuse run contexts (input tensors over reusable buffers, pre-allocated outputs, bound once
/// when every size is fixed); batches stack items along the free first dimension, in run contexts of their size when
/// every input and output is numeric with fixed sizes past the batch (a few sizes are kept: a batch prediction loop's
/// size, its last partial batch, a micro-batcher's usual sizes).
/// </summary>
internal sealed class TypedCodec<TIn, TOut> : ModelCodec<TIn, TOut>
    where TOut : new()
{
    private const int MaxIdleContexts = 16;
    private const int MaxBatchSizes = 8;

    /// <summary>Makes a result by a compiled constructor call rather than the <c>new()</c> constraint's reflection path.</summary>
    private static readonly Func<TOut> NewResult = typeof(TOut).IsValueType
        ? static () => new TOut()
        : System.Linq.Expressions.Expression.Lambda<Func<TOut>>(System.Linq.Expressions.Expression.New(typeof(TOut))).Compile();
    private readonly InferenceSession _session;
    private readonly System.Collections.Concurrent.ConcurrentBag<RunContext> _contexts = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, System.Collections.Concurrent.ConcurrentBag<RunContext>> _batchContexts = new();
    private readonly bool _bindsBatches;

    /// <exception cref="ModelMappingException">The types do not fit the session's inputs and outputs.</exception>
    public TypedCodec(InferenceSession session)
    {
        _session = session;
        Mapping = TensorMapping<TIn, TOut>.Create(session);
        CanBatch = Mapping.InputNames.Select(n => session.InputMetadata[n]).Concat(Mapping.OutputNames.Select(n => session.OutputMetadata[n]))
            .All(meta => meta.IsTensor && meta.Dimensions.Length > 0 && meta.Dimensions[0] < 0 && meta.Dimensions.Skip(1).All(d => d > 0));
        if (CanBatch)
        {
            using var probe = new RunContext(session, Mapping, rows: 2);
            _bindsBatches = probe.IsBound;
        }
    }

    public TensorMapping<TIn, TOut> Mapping { get; }

    public override IReadOnlyList<string> InputNames => Mapping.InputNames;

    public override IReadOnlyList<string> OutputNames => Mapping.OutputNames;

    /// <summary>Whether every mapped input and output has a free first (batch) dimension and fixed sizes otherwise.</summary>
    public override bool CanBatch { get; }

    public override void Dispose()
    {
        foreach (var bag in _batchContexts.Values.Append(_contexts))
        {
            while (bag.TryTake(out var context))
            {
                context.Dispose();
            }
        }
    }

    public override TOut[] RunBatch(InferenceSession session, RunOptions runOptions, ReadOnlySpan<TIn> inputs)
    {
        if (_bindsBatches && inputs.Length > 1 && (_batchContexts.ContainsKey(inputs.Length) || _batchContexts.Count < MaxBatchSizes))
        {
            var idle = _batchContexts.GetOrAdd(inputs.Length, static _ => []);
            var context = idle.TryTake(out var taken) ? taken : new RunContext(_session, Mapping, inputs.Length);
            var healthy = false;
            try
            {
                var results = context.RunBatch(session, runOptions, inputs);
                healthy = true;
                return results;
            }
            finally
            {
                Return(idle, context, healthy);
            }
        }

        var values = new OrtValue[Mapping.Inputs.Length];
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = Mapping.Inputs[i].CreateBatch(inputs);
            }

            using var outputs = session.Run(runOptions, Mapping.InputNames, values, Mapping.OutputNames);
            var results = new TOut[inputs.Length];
            for (var row = 0; row < results.Length; row++)
            {
                results[row] = NewResult();
            }

            for (var o = 0; o < Mapping.Outputs.Length; o++)
            {
                Mapping.Outputs[o].ReadRows(outputs[o], results);
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

    public override TOut Run(InferenceSession session, RunOptions runOptions, TIn input)
    {
        if (!_contexts.TryTake(out var context))
        {
            context = new RunContext(_session, Mapping);
        }

        var healthy = false;
        try
        {
            var result = context.Run(session, runOptions, Mapping, input);
            healthy = true;
            return result;
        }
        finally
        {
            Return(_contexts, context, healthy);
        }
    }

    private static void Return(System.Collections.Concurrent.ConcurrentBag<RunContext> idle, RunContext context, bool healthy)
    {
        if (healthy && idle.Count < MaxIdleContexts)
        {
            idle.Add(context);
        }
        else
        {
            context.Dispose();
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

        /// <param name="session">The session.</param>
        /// <param name="mapping">The mapping.</param>
        /// <param name="rows">The items each call takes: 1 for single calls; more for a batch size (used only when <see cref="IsBound"/>).</param>
        public RunContext(InferenceSession session, TensorMapping<TIn, TOut> mapping, int rows = 1)
        {
            _inputSlots = mapping.Inputs.Select(i => i.CreateSlot(rows)).ToArray();
            _inputs = new OrtValue[_inputSlots.Length];
            var outputSlots = mapping.Outputs.Select(o => o.CreateSlot(rows)).ToArray();
            if (outputSlots.All(o => o is not null) && mapping.Inputs.All(i => i.FixedShape))
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

        /// <summary>Whether every input and output has a slot, bound to the session once.</summary>
        public bool IsBound => _binding is not null;

        /// <summary>Runs a batch of the size this context was made for (<see cref="IsBound"/> only).</summary>
        public TOut[] RunBatch(InferenceSession session, RunOptions runOptions, ReadOnlySpan<TIn> inputs)
        {
            foreach (var slot in _inputSlots)
            {
                slot!.WriteRows(inputs);
            }

            session.RunWithBinding(runOptions, _binding!);
            var results = new TOut[inputs.Length];
            for (var row = 0; row < results.Length; row++)
            {
                results[row] = NewResult();
            }

            foreach (var slot in _outputSlots!)
            {
                slot.ReadRows(results);
            }

            return results;
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
