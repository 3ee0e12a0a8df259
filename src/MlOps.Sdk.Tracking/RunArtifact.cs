namespace MlOps.Sdk.Tracking;

/// <summary>An artifact logged by a run: a path inside the run naming content in the artifact store.</summary>
/// <param name="Path">The artifact's path inside the run.</param>
/// <param name="Digest">The content's digest.</param>
/// <param name="Length">The content's length in bytes.</param>
public sealed record RunArtifact(RelativePath Path, ContentDigest Digest, long Length);
