namespace MlOps.Sdk.Versioning.Onnx;

/// <summary>The content is not a readable ONNX model.</summary>
public sealed class OnnxFormatException : MlOpsValidationException
{
    /// <summary>Creates the error.</summary>
    public OnnxFormatException(string message) : base($"Not a readable ONNX model: {message}.") { }
}
