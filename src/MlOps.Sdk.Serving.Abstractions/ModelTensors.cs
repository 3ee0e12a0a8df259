namespace MlOps.Sdk.Serving;

/// <summary>
/// Input and output buffers for the low-level tensor API of a model host: the caller writes inputs into
/// <see cref="Input{T}"/>, calls <see cref="ModelHost{TIn, TOut}.Run(ModelTensors)"/> and reads <see cref="Output{T}"/>.
/// The buffers are bound to the serving session once and rebound after a swap: with numeric inputs and outputs whose
/// shape follows from the inputs', nothing is allocated per call (string inputs are copied into a string tensor on each
/// run; outputs sized by the run are allocated by it).
/// </summary>
/// <remarks>One caller at a time: keep one instance per thread (or pool them). Create with
/// <see cref="ModelHost{TIn, TOut}.CreateTensors(int, string[])"/>; only the host that made them can run them.</remarks>
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

    /// <summary>
    /// The buffer of output <paramref name="name"/>, as the last run left it. For an output whose size is known only after
    /// a run, the memory of that run's value, valid until the next run.
    /// </summary>
    /// <typeparam name="T">The element type of the output.</typeparam>
    /// <param name="name">The output's name.</param>
    /// <exception cref="ModelInputException">No such output, or its elements are not <typeparamref name="T"/>.</exception>
    public abstract ReadOnlySpan<T> Output<T>(string name)
        where T : unmanaged;

    /// <summary>The buffer of string input <paramref name="name"/>, row after row: copied into the model's string tensor on each run.</summary>
    /// <exception cref="ModelInputException">No such input, or its elements are not strings.</exception>
    public abstract Span<string> InputStrings(string name);

    /// <summary>The strings of output <paramref name="name"/>, as the last run left them.</summary>
    /// <exception cref="ModelInputException">No such output, its elements are not strings, or nothing has run yet.</exception>
    public abstract ReadOnlySpan<string> OutputStrings(string name);

    /// <summary>The maps of a sequence-of-maps output (a ZipMap), one per row, as the last run left them.</summary>
    /// <typeparam name="TKey"><see cref="long"/> or <see cref="string"/>: the key type of the maps.</typeparam>
    /// <exception cref="ModelInputException">No such output, it is not a sequence of maps keyed by <typeparamref name="TKey"/>, or nothing has run yet.</exception>
    public abstract IReadOnlyList<IReadOnlyDictionary<TKey, float>> OutputMaps<TKey>(string name)
        where TKey : notnull;

    /// <summary>
    /// The shape of input or output <paramref name="name"/>: fixed when the tensors were made, except for outputs whose
    /// size is known only after a run (TopK's k, NonZero), which have the last run's.
    /// </summary>
    /// <exception cref="ModelInputException">No such tensor, or an output whose shape comes with a run before any ran.</exception>
    public abstract IReadOnlyList<long> Shape(string name);

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
