using Microsoft.ML.OnnxRuntime;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>
/// A tensor over a buffer of its own, refilled on each call instead of created: one per input per run context, sized
/// for one item or for a batch of a given size. Buffers live on the pinned object heap, so that pinning them for ONNX
/// Runtime does not fragment the young generations.
/// </summary>
internal abstract class InputSlot<TIn>(OrtValue value) : IDisposable
{
    public OrtValue Value { get; } = value;

    /// <summary>Writes the one item of a slot sized for one.</summary>
    public abstract void Write(TIn input);

    /// <summary>Writes every item of a batch, as many as the slot was sized for.</summary>
    public abstract void WriteRows(ReadOnlySpan<TIn> inputs);

    public void Dispose() => Value.Dispose();
}
