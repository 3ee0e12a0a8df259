using Microsoft.ML.OnnxRuntime;

namespace MlOps.Sdk.Serving.Mapping;

/// <summary>A pre-allocated output tensor the session writes into: one per output per run context, for one item or a batch.</summary>
internal sealed class OutputSlot<TOut>(OrtValue value, OutputBinding<TOut> binding) : IDisposable
{
    public OrtValue Value { get; } = value;

    public void Read(TOut output) => binding.Read(Value, output);

    public void ReadRows(TOut[] outputs) => binding.ReadRows(Value, outputs);

    public void Dispose() => Value.Dispose();
}
