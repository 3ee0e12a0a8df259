namespace MlOps.Sdk.Versioning;

/// <summary>What a new model version is registered with, besides its content.</summary>
public sealed class ModelVersionOptions
{
    /// <summary>The run the model came from, if any.</summary>
    public string? FromRun { get; init; }

    /// <summary>
    /// An input the model must serve, stored with the version as an artifact (MLflow's <c>input_example</c>); model hosts
    /// warm up on it. The bytes are those of <c>MlOps.Sdk.Serving</c>'s named tensors: an ONNX <c>GraphProto</c> whose
    /// initializers are the inputs.
    /// </summary>
    public ReadOnlyMemory<byte>? InputExample { get; init; }
}
