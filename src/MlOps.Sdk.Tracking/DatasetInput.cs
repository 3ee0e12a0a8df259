namespace MlOps.Sdk.Tracking;

/// <summary>A dataset version a run used.</summary>
/// <param name="Name">The dataset's name.</param>
/// <param name="Digest">The digest of the dataset version.</param>
/// <param name="Context">What the run used it for (<c>training</c>, <c>evaluation</c>, ...), or empty.</param>
public sealed record DatasetInput(string Name, ContentDigest Digest, string Context = "");
