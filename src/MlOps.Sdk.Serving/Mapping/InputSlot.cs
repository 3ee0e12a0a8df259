using Microsoft.ML.OnnxRuntime;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>
/// A tensor over a buffer of its own, refilled on each call instead of created: one per input per run context. Buffers
/// live on the pinned object heap, so that pinning them for ONNX Runtime does not fragment the young generations.
/// </summary>
internal abstract class InputSlot<TIn>(OrtValue value) : IDisposable
{
    public OrtValue Value { get; } = value;

    public abstract void Write(TIn input);

    public void Dispose() => Value.Dispose();
}
