namespace MlOps.Sdk.Serving;

/// <summary>An input does not fit the model: a missing field, a wrong type or a wrong length. The host is unharmed.</summary>
public sealed class ModelInputException : MlOpsValidationException
{
    /// <summary>Creates the error for <paramref name="input"/>.</summary>
    public ModelInputException(string input, string problem) : base($"Model input '{input}': {problem}.") => Input = input;

    /// <summary>The model input at fault.</summary>
    public string Input { get; }
}

/// <summary>A type cannot be mapped onto a model's inputs or outputs; the version is not loaded.</summary>
public sealed class ModelMappingException : MlOpsValidationException
{
    /// <summary>Creates the error.</summary>
    public ModelMappingException(string message) : base(message) { }
}
