using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Serving;

/// <summary>Serves one registered model to typed callers, swapping versions without failing a call.</summary>
public abstract class ModelHost<TIn, TOut>
    where TOut : new()
{
    /// <summary>The host's name (the registered model's name).</summary>
    public abstract string Name { get; }

    /// <summary>The version serving now, or null before the first one is loaded.</summary>
    public abstract ModelVersion? CurrentVersion { get; }

    /// <summary>Raised after a swap, with the version now serving.</summary>
    public abstract event EventHandler<ModelVersion>? Swapped;

    /// <summary>Raised when a version failed to load, verify or warm up; the version before it keeps serving.</summary>
    public abstract event EventHandler<ModelLoadFailure>? LoadFailed;

    /// <summary>Runs the model serving now.</summary>
    /// <exception cref="ModelInputException">The input does not fit the model.</exception>
    /// <exception cref="ModelNotLoadedException">No version is loaded; the message says why.</exception>
    public abstract TOut Predict(TIn input);

    /// <summary>
    /// Runs the model serving now; with <c>ModelHostOptions.MicroBatching</c>, together with the calls made at the
    /// same time. A call that finds no batch running runs at once.
    /// </summary>
    /// <exception cref="ModelInputException">The input does not fit the model.</exception>
    public abstract ValueTask<TOut> PredictAsync(TIn input, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs the model once on a batch: items are stacked along the model's first (batch) dimension, which must be free;
    /// every item's inputs must have the same shape past it (a fixed size, or sequences or images of one size). All
    /// results come from the same version.
    /// </summary>
    /// <exception cref="ModelInputException">An item does not fit the model; the message names it.</exception>
    public abstract IReadOnlyList<TOut> Predict(ReadOnlySpan<TIn> inputs);

    /// <summary>
    /// Runs the variant <paramref name="routingKey"/> routes to (see <c>ModelHostOptions.Canary</c> and
    /// <c>ModelHostOptions.Variant</c>): a key always lands on the same variant. Without variants, the same as
    /// <see cref="Predict(TIn)"/>, which routes by chance.
    /// </summary>
    public abstract TOut Predict(TIn input, string routingKey);

    /// <summary>
    /// Shows every single prediction (<see cref="Predict(TIn)"/>, <see cref="Predict(TIn, string)"/>,
    /// <see cref="PredictWithProvenance"/>, <see cref="PredictAsync"/>, micro-batched or not) to <paramref name="observer"/>
    /// until the returned handle is disposed. <see cref="Predict(ReadOnlySpan{TIn})"/> and the tensor API are not observed.
    /// The observer gets them on a queue of its own (<see cref="ObserverDelivery.Queued"/>): whatever it does, it cannot
    /// fail or hold up a prediction. The handle is also <see cref="IAsyncDisposable"/>: awaiting its disposal waits until
    /// the observer has been given every prediction made before (at most <c>ServingOptions.CallbackTimeout</c>).
    /// </summary>
    public abstract IDisposable Observe(IPredictionObserver<TIn, TOut> observer);

    /// <summary>Shows every single prediction to <paramref name="observer"/>, delivered as <paramref name="delivery"/> says.</summary>
    public abstract IDisposable Observe(IPredictionObserver<TIn, TOut> observer, ObserverDelivery delivery);

    /// <summary>Runs the model and says which model, version, digest and variant computed the result.</summary>
    /// <param name="input">The input.</param>
    /// <param name="routingKey">The key that picks the variant (a user or request id); null routes by chance.</param>
    public abstract Prediction<TOut> PredictWithProvenance(TIn input, string? routingKey = null);

    /// <summary>
    /// Runs a batch in one call, on the variant <paramref name="routingKey"/> routes to, and says which model, version,
    /// digest and variant computed every output. Not observed, as <see cref="Predict(ReadOnlySpan{TIn})"/> is not.
    /// </summary>
    /// <param name="inputs">The inputs; at least one.</param>
    /// <param name="routingKey">The key that picks the variant; null routes by chance.</param>
    /// <exception cref="ModelInputException">The batch is empty.</exception>
    public abstract Prediction<IReadOnlyList<TOut>> PredictBatchWithProvenance(ReadOnlySpan<TIn> inputs, string? routingKey = null);

    /// <summary>
    /// Creates buffers for the low-level tensor API, shaped for the serving version: every model input, with a free first
    /// dimension set to <paramref name="batchSize"/>, and <paramref name="outputs"/> (by default the outputs
    /// <typeparamref name="TOut"/> maps). A model with other free dimensions needs the shapes: use <see cref="CreateTensorsWithShapes"/>.
    /// </summary>
    /// <exception cref="ModelInputException">An input has a free dimension past the first, or there is no such output.</exception>
    /// <exception cref="ModelNotLoadedException">No version is loaded; the message says why.</exception>
    public abstract ModelTensors CreateTensors(int batchSize = 1, params string[] outputs);

    /// <summary>
    /// Creates buffers for the low-level tensor API with the shapes of <paramref name="inputShapes"/> (an image's height and
    /// width, a sequence's length; inputs not given take the model's shape with a batch of 1), and
    /// <paramref name="outputs"/>. Outputs whose shape follows from the inputs' are bound once; the others are allocated
    /// by each run (see <see cref="ModelTensors.Shape"/>).
    /// </summary>
    /// <exception cref="ModelInputException">A shape does not fit its input (rank, a fixed size), an input with free sizes has none, or there is no such tensor.</exception>
    /// <exception cref="ModelNotLoadedException">No version is loaded; the message says why.</exception>
    public abstract ModelTensors CreateTensorsWithShapes(IReadOnlyDictionary<string, long[]> inputShapes, params string[] outputs);

    /// <summary>Runs the serving version on caller-held tensors, with no allocation per call.</summary>
    /// <returns>The version that computed the outputs.</returns>
    /// <exception cref="ModelInputException">A new version serves with other shapes than the tensors were made for.</exception>
    public abstract ModelVersion Run(ModelTensors tensors);

    /// <summary>
    /// Loads what the host is configured to serve and starts following its alias. A generic host calls it on start; a
    /// console app without one calls it itself.
    /// </summary>
    public abstract Task StartAsync(CancellationToken cancellationToken = default);

    /// <summary>Serves <paramref name="version"/> and stops following the alias until <see cref="UnpinAsync"/>.</summary>
    /// <returns>True if the version now serves.</returns>
    public abstract Task<bool> PinAsync(int version, CancellationToken cancellationToken = default);

    /// <summary>Follows the configured alias (or pinned version) again, and serves what it points to now.</summary>
    public abstract Task UnpinAsync(CancellationToken cancellationToken = default);

    /// <summary>Serves the version that served before the current one, pinned, until <see cref="UnpinAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">Only one version has served.</exception>
    public abstract Task<bool> RollbackAsync(CancellationToken cancellationToken = default);

    /// <summary>Loads, verifies and warms up a version, then makes it serve; on any failure the current one keeps serving.</summary>
    /// <returns>True if the version now serves.</returns>
    public abstract Task<bool> SwapToAsync(ModelVersion version, CancellationToken cancellationToken = default);
}

/// <summary>A result and the model version that computed it.</summary>
/// <param name="Output">The result.</param>
/// <param name="ModelName">The model.</param>
/// <param name="Version">The version number.</param>
/// <param name="Digest">The version's content digest.</param>
/// <param name="Variant">The variant that served it: <c>primary</c>, <c>canary</c> or an A/B variant's name.</param>
public sealed record Prediction<TOut>(TOut Output, string ModelName, int Version, ContentDigest Digest, string Variant);

/// <summary>Why a version did not become the serving one.</summary>
/// <param name="Version">The version that failed.</param>
/// <param name="Stage">Where it failed: <c>load</c>, <c>verify</c> or <c>warm-up</c>.</param>
/// <param name="Error">The error.</param>
public sealed record ModelLoadFailure(ModelVersion Version, string Stage, Exception Error);
