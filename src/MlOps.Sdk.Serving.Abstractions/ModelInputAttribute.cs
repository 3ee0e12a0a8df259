namespace MlOps.Sdk.Serving;

/// <summary>Maps a property to the model input of this name (default: the property's name).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ModelInputAttribute(string name) : Attribute
{
    /// <summary>The input's name in the ONNX graph.</summary>
    public string Name { get; } = name;
}

/// <summary>Maps a property to the model output of this name (default: the property's name, or that name with ML.NET's <c>.output</c> suffix).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ModelOutputAttribute(string name) : Attribute
{
    /// <summary>The output's name in the ONNX graph.</summary>
    public string Name { get; } = name;
}
