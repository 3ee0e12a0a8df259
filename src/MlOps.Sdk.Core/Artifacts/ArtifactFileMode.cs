namespace MlOps.Sdk.Artifacts;

/// <summary>How <see cref="ArtifactStore.PutFileAsync"/> stores a file.</summary>
public enum ArtifactFileMode
{
    /// <summary>Copy the content; the file stays as it was.</summary>
    Copy,

    /// <summary>
    /// Store the file itself through a hard link, without writing its content again, and make it read-only: editing it
    /// in place would change the stored content (reads would then fail their digest check). Replace such a file with a
    /// new one (write elsewhere, then rename) instead of rewriting it. Falls back to <see cref="Copy"/> where a link is
    /// impossible: another volume, Windows, a store that is not local.
    /// </summary>
    HardLink,
}
