namespace MlOps.Sdk.Artifacts;

/// <summary>A blob held by an <see cref="ArtifactStore"/>.</summary>
/// <param name="Digest">The SHA-256 digest that names the content.</param>
/// <param name="Length">The content's length in bytes.</param>
/// <param name="StoredAt">When the content was first stored.</param>
public sealed record StoredArtifact(ContentDigest Digest, long Length, DateTimeOffset StoredAt);
