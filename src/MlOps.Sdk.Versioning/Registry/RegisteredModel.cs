namespace MlOps.Sdk.Versioning;

/// <summary>A named model and its aliases.</summary>
/// <param name="Name">The unique name.</param>
/// <param name="Description">A free-text description.</param>
/// <param name="Tags">Tags.</param>
/// <param name="Aliases">Each alias and the version number it points to.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record RegisteredModel(string Name, string Description, IReadOnlyDictionary<string, string> Tags, IReadOnlyDictionary<string, int> Aliases, DateTimeOffset CreatedAt);
