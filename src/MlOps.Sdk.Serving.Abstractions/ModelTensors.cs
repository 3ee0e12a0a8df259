namespace MlOps.Sdk.Serving;

/// <summary>
/// Input and output buffers for the low-level tensor API of a model host: the caller writes inputs into
/// <see cref="Input{T}"/>, calls <see cref="ModelHost{TIn, TOut}.Run(ModelTensors)"/> and reads <see cref="Output{T}"/>.
/// The buffers are bound to the serving session once and rebound after a swap; nothing is allocated per call.
/// </summary>
/// <remarks>One caller at a time: keep one instance per thread (or pool them). Create with
/// <see cref="ModelHost{TIn, TOut}.CreateTensors"/>; only the host that made them can run them.</remarks>
public abstract class ModelTensors : IDisposable
{
    /// <summary>The number of rows along the batch dimension.</summary>
    public abstract int BatchSize { get; }

    /// <summary>The model's input names.</summary>
    public abstract IReadOnlyCollection<string> InputNames { get; }

    /// <summary>The outputs these tensors receive.</summary>
    public abstract IReadOnlyCollection<string> OutputNames { get; }

    /// <summary>The buffer of input <paramref name="name"/>, row after row: write the next call's values here.</summary>
    /// <typeparam name="T">The element type of the input.</typeparam>
    /// <param name="name">The input's name.</param>
    /// <exception cref="ModelInputException">No such input, or its elements are not <typeparamref name="T"/>.</exception>
    public abstract Span<T> Input<T>(string name)
        where T : unmanaged;

    /// <summary>The buffer of output <paramref name="name"/>, as the last run left it.</summary>
    /// <typeparam name="T">The element type of the output.</typeparam>
    /// <param name="name">The output's name.</param>
    /// <exception cref="ModelInputException">No such output, or its elements are not <typeparamref name="T"/>.</exception>
    public abstract ReadOnlySpan<T> Output<T>(string name)
        where T : unmanaged;

    /// <summary>Releases the buffers and their binding to the session.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the buffers.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected abstract void Dispose(bool disposing);
}
