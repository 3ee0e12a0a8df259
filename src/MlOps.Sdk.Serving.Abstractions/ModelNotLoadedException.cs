namespace MlOps.Sdk.Serving;

/// <summary>
/// A model host has no version to serve, and the message says why: the model or its alias does not exist, the alias
/// points nowhere, the version failed to load (the load error is the inner exception), or the host was not started.
/// </summary>
public sealed class ModelNotLoadedException : MlOpsException
{
    /// <summary>Creates the error for the host <paramref name="model"/>.</summary>
    public ModelNotLoadedException(string model, string reason, Exception? innerException = null)
        : base($"Model host '{model}' has no version to serve: {reason}", innerException)
    {
        Model = model;
        Reason = reason;
    }

    /// <summary>The host's model name.</summary>
    public string Model { get; }

    /// <summary>Why nothing is loaded.</summary>
    public string Reason { get; }
}
