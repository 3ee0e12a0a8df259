namespace MlOps.Sdk.Versioning.Onnx;

/// <summary>The inputs and outputs of an ONNX model, as read from its graph.</summary>
/// <param name="Inputs">The graph inputs that are not initializers, in graph order.</param>
/// <param name="Outputs">The graph outputs, in graph order.</param>
public sealed record ModelSignature(IReadOnlyList<TensorSignature> Inputs, IReadOnlyList<TensorSignature> Outputs)
{
    /// <summary>Equal when the inputs and outputs are equal, in order.</summary>
    public bool Equals(ModelSignature? other) =>
        other is not null && Inputs.SequenceEqual(other.Inputs) && Outputs.SequenceEqual(other.Outputs);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Inputs.Count, Outputs.Count, Inputs.FirstOrDefault()?.Name);
}

/// <summary>One input or output.</summary>
/// <param name="Name">The value's name in the graph, such as <c>Features</c> or <c>Score.output</c>.</param>
/// <param name="ElementType">The element type in ONNX's lower-case names (<c>float</c>, <c>int64</c>, <c>string</c>, …); <c>sequence</c>, <c>map</c> or <c>optional</c> for non-tensor values.</param>
/// <param name="Shape">The dimensions; empty for a scalar or a non-tensor value.</param>
public sealed record TensorSignature(string Name, string ElementType, IReadOnlyList<TensorDimension> Shape)
{
    /// <summary>Equal when name, element type and every dimension are equal.</summary>
    public bool Equals(TensorSignature? other) =>
        other is not null && Name == other.Name && ElementType == other.ElementType && Shape.SequenceEqual(other.Shape);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, ElementType, Shape.Count);

    /// <summary>Writes the value as <c>name: type[d0,d1]</c>.</summary>
    public override string ToString() => $"{Name}: {ElementType}[{string.Join(",", Shape)}]";
}

/// <summary>A dimension: a fixed size, a named symbolic size, or unknown.</summary>
/// <param name="Size">The fixed size, or null.</param>
/// <param name="Symbol">The symbolic name (such as <c>batch</c>), or null.</param>
public sealed record TensorDimension(long? Size, string? Symbol)
{
    /// <summary>Whether the dimension accepts any size.</summary>
    public bool IsFree => Size is null;

    /// <inheritdoc />
    public override string ToString() => Size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}
