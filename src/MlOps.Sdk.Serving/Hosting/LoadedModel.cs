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
    /// Runs the model once on synthetic inputs, so that the first call does not pay for the first run: zeros (empty
    /// strings), each free dimension 1, a zero-size dimension kept. Returns what the run threw, if anything: zeros are not
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

            using var outputs = _session.Run(_runOptions, Codec.InputNames, inputs, Codec.OutputNames);
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
        var names = outputs is { Count: > 0 } ? outputs : Codec.OutputNames;
        return new OnnxTensors(
            batchSize,
            Codec.InputNames.Select(n => (n, _session.InputMetadata[n])),
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

    public TOut[] RunBatch(ReadOnlySpan<TIn> inputs) => Codec.RunBatch(_session, _runOptions, inputs);

    public TOut Run(TIn input) => Codec.Run(_session, _runOptions, input);
}
