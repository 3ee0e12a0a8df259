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
    private readonly RunOptions _runOptions = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<OrtIoBinding, byte> _bindings = new();
    private readonly Func<OnnxTensors, OrtIoBinding> _bind;
    private readonly Action<OrtIoBinding> _unbind;
    private int _leases = 1;

    public LoadedModel(ModelVersion version, byte[] content, ServingOptions options, SessionOptions sessionOptions)
    {
        _session = new InferenceSession(options.TrimUnreadOutputs ? Trim(content) : content, sessionOptions);
        try
        {
            Codec = ModelCodecs<TIn, TOut>.Create(_session);
        }
        catch
        {
            _session.Dispose();
            throw;
        }

        Version = version;
        _bind = Bind;
        _unbind = Unbind;
    }

    /// <summary>Whether items can be stacked into one run.</summary>
    public bool CanBatch => Codec.CanBatch;

    public ModelVersion Version { get; }

    /// <summary>The model computing only what TOut reads; unreadable bytes go to ONNX Runtime as they are, for its error.</summary>
    private static byte[] Trim(byte[] content)
    {
        try
        {
            return OutputPruner.Prune(content, ModelCodecs<TIn, TOut>.OutputsRead(OutputPruner.OutputNames(content)));
        }
        catch (Versioning.Onnx.OnnxFormatException)
        {
            return content;
        }
    }

    public ModelCodec<TIn, TOut> Codec { get; }

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
            Codec.Dispose();

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
    /// Runs the model once on synthetic inputs, so that the first call does not pay for the first run: zeros of every
    /// element type (empty strings), each free dimension 1, a zero-size dimension kept. Returns what the run threw, if anything: zeros are not
    /// valid input for every model, so a failure here says nothing about real inputs.
    /// </summary>
    public Exception? TryWarmUpSynthetic()
    {
        var inputs = new List<OrtValue>();
        try
        {
            foreach (var name in Codec.InputNames)
            {
                var meta = _session.InputMetadata[name];
                var shape = meta.Dimensions.Select(d => d < 0 ? 1L : d).ToArray();
                var count = (int)shape.Aggregate(1L, (a, b) => a * b);
                inputs.Add(meta.ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.String
                    ? OrtTensors.Strings(Enumerable.Repeat(string.Empty, count).ToArray(), shape)
                    : OrtTensors.Over(Array.CreateInstance(OrtTensors.ElementType(meta.ElementDataType) ?? typeof(byte), count), meta.ElementDataType, shape));
            }

            using var outputs = _session.Run(_runOptions, Codec.InputNames, inputs, Codec.OutputNames);
            return null;
        }
        catch (Exception e) when (e is OnnxRuntimeException or MlOpsException)
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

    /// <summary>Runs the model on the input example registered with its version, by name, whatever the host's types.</summary>
    /// <exception cref="ModelInputException">The example does not fit the model.</exception>
    public void RunExample(NamedTensors example) => new NamedTensorCodec(_session).Run(_session, _runOptions, example);

    /// <summary>
    /// Tensors for this version's inputs, shaped by <paramref name="inputShapes"/> or else the model with a batch of
    /// <paramref name="batchSize"/>, and the given outputs (by default, those the codec reads): bound when their shape
    /// follows from the inputs' (a fixed size, or a free one named as an input's), allocated by each run otherwise.
    /// </summary>
    public OnnxTensors CreateTensors(int batchSize, IReadOnlyDictionary<string, long[]>? inputShapes, IReadOnlyCollection<string>? outputs)
    {
        var names = outputs is { Count: > 0 } ? outputs : Codec.OutputNames;
        var known = new Dictionary<string, long>(StringComparer.Ordinal);
        var inputs = Codec.InputNames.Select(name =>
        {
            var meta = _session.InputMetadata[name];
            var shape = InputShape(name, meta, batchSize, inputShapes);
            for (var d = 0; d < shape.Length; d++)
            {
                if (meta.Dimensions[d] < 0 && meta.SymbolicDimensions[d] is { Length: > 0 } symbol)
                {
                    known.TryAdd(symbol, shape[d]);
                }
            }

            return (name, meta, shape);
        }).ToList();
        if (inputShapes?.Keys.FirstOrDefault(k => !_session.InputMetadata.ContainsKey(k)) is { } unknown)
        {
            throw new ModelInputException(unknown, $"the model has no such input; its inputs are {string.Join(", ", _session.InputMetadata.Keys)}");
        }

        var rows = inputs.Count > 0 && inputs[0].shape.Length > 0 ? (int)inputs[0].shape[0] : batchSize;
        return new OnnxTensors(
            inputShapes is null ? batchSize : rows,
            inputs,
            names.Select(n => _session.OutputMetadata.TryGetValue(n, out var meta)
                ? (n, meta, OutputShape(meta, inputShapes is null ? batchSize : null, known))
                : throw new ModelInputException(n, $"the model has no such output; its outputs are {string.Join(", ", _session.OutputMetadata.Keys)}")).ToList());
    }

    private static long[] InputShape(string name, NodeMetadata meta, int batchSize, IReadOnlyDictionary<string, long[]>? given)
    {
        if (!meta.IsTensor)
        {
            throw new ModelInputException(name, $"it is a {meta.OnnxValueType}; the tensor API feeds tensors");
        }

        if (given is not null && given.TryGetValue(name, out var shape))
        {
            if (shape is null || shape.Length != meta.Dimensions.Length || meta.Dimensions.Where((d, i) => d >= 0 && d != shape[i]).Any() || shape.Any(d => d < 0))
            {
                throw new ModelInputException(name, $"the model takes {Accessors.Describe(meta)}; the shape given is [{string.Join(",", shape ?? [])}]");
            }

            return (long[])shape.Clone();
        }

        if (meta.Dimensions.Skip(1).Any(d => d < 0))
        {
            throw new ModelInputException(name, $"the model takes {Accessors.Describe(meta)}: give its shape with CreateTensorsWithShapes");
        }

        return meta.Dimensions.Select((d, i) => i == 0 && d < 0 ? batchSize : (long)d).ToArray();
    }

    /// <summary>An output's shape when the inputs' say it (fixed, the batch, or a size named as an input's); null when only a run can.</summary>
    private static long[]? OutputShape(NodeMetadata meta, int? batchSize, Dictionary<string, long> known)
    {
        if (!meta.IsTensor || meta.ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.String)
        {
            return null;
        }

        var shape = new long[meta.Dimensions.Length];
        for (var d = 0; d < shape.Length; d++)
        {
            if (meta.Dimensions[d] >= 0)
            {
                shape[d] = meta.Dimensions[d];
            }
            else if (meta.SymbolicDimensions[d] is { Length: > 0 } symbol && known.TryGetValue(symbol, out var size))
            {
                shape[d] = size;
            }
            else if (d == 0 && batchSize is { } rows && meta.SymbolicDimensions[d] is not { Length: > 0 })
            {
                shape[d] = rows;
            }
            else
            {
                return null;
            }
        }

        return shape;
    }

    /// <summary>Runs on caller-held tensors, binding them to this session on their first run here.</summary>
    public void Run(OnnxTensors tensors)
    {
        var binding = tensors.BindingFor(this, _bind, _unbind);
        tensors.BeforeRun(binding);
        _session.RunWithBinding(_runOptions, binding);
        tensors.AfterRun(binding);
    }

    private OrtIoBinding Bind(OnnxTensors tensors)
    {
        var binding = _session.CreateIoBinding();
        try
        {
            foreach (var (name, meta, value) in tensors.BoundInputs)
            {
                Check(name, meta, value, _session.InputMetadata.TryGetValue(name, out var now) ? now : null);
                if (value is not null)
                {
                    binding.BindInput(name, value);
                }
            }

            foreach (var (name, meta, value) in tensors.BoundOutputs)
            {
                Check(name, meta, value, _session.OutputMetadata.TryGetValue(name, out var now) ? now : null);
                if (value is null)
                {
                    binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
                }
                else
                {
                    binding.BindOutput(name, value);
                }
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

    /// <summary>Whether tensors made for <paramref name="made"/> fit this version's <paramref name="now"/>: the kind, element type, rank and fixed sizes.</summary>
    private void Check(string name, NodeMetadata made, OrtValue? value, NodeMetadata? now)
    {
        var fits = now is not null && now.OnnxValueType == made.OnnxValueType && (!now.IsTensor
            || (now.ElementDataType == made.ElementDataType && now.Dimensions.Length == made.Dimensions.Length
                && (value is null || !now.Dimensions.Where((d, i) => d >= 0 && d != value.GetTensorTypeAndShape().Shape[i]).Any())));
        if (!fits)
        {
            throw new ModelInputException(name, $"version {Version.Number} takes {(now is null ? "no such tensor" : now.IsTensor ? Accessors.Describe(now) : now.OnnxValueType.ToString())}; these tensors were made for another shape: create new ones with CreateTensors");
        }
    }

    public TOut[] RunBatch(ReadOnlySpan<TIn> inputs) => Codec.RunBatch(_session, _runOptions, inputs);

    public TOut Run(TIn input) => Codec.Run(_session, _runOptions, input);
}
