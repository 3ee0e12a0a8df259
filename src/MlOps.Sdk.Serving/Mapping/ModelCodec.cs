using Microsoft.ML.OnnxRuntime;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>
/// How one loaded version turns <typeparamref name="TIn"/> into session inputs and session outputs into
/// <typeparamref name="TOut"/>: through compiled property accessors (<see cref="TypedCodec{TIn, TOut}"/>), or by name
/// (<see cref="NamedTensorCodec"/>). Everything else a host does — leases, swaps, routing, batching, observers, meters — is
/// the same for both.
/// </summary>
internal abstract class ModelCodec<TIn, TOut> : IDisposable
{
    /// <summary>The session inputs a call feeds.</summary>
    public abstract IReadOnlyList<string> InputNames { get; }

    /// <summary>The session outputs a call reads.</summary>
    public abstract IReadOnlyList<string> OutputNames { get; }

    /// <summary>Whether items can be stacked along a free first dimension into one run.</summary>
    public abstract bool CanBatch { get; }

    public abstract TOut Run(InferenceSession session, RunOptions runOptions, TIn input);

    public abstract TOut[] RunBatch(InferenceSession session, RunOptions runOptions, ReadOnlySpan<TIn> inputs);

    public virtual void Dispose()
    {
    }
}

/// <summary>The codec a host of <typeparamref name="TIn"/> and <typeparamref name="TOut"/> uses: by name for <see cref="NamedTensors"/>, typed otherwise.</summary>
internal static class ModelCodecs<TIn, TOut>
    where TOut : new()
{
    private static readonly bool Named = typeof(TIn) == typeof(NamedTensors) && typeof(TOut) == typeof(NamedTensors);

    /// <exception cref="ModelMappingException">The types do not fit the session's inputs and outputs.</exception>
    public static ModelCodec<TIn, TOut> Create(InferenceSession session) =>
        Named ? (ModelCodec<TIn, TOut>)(object)new NamedTensorCodec(session) : new TypedCodec<TIn, TOut>(session);

    /// <summary>The outputs among <paramref name="declared"/> a call reads: all of them for named tensors.</summary>
    public static IReadOnlyCollection<string> OutputsRead(IReadOnlyList<string> declared) =>
        Named ? declared : TensorMapping<TIn, TOut>.OutputsRead(declared);
}
