namespace MlOps.Sdk.Storage.PostgreSql.Migration;

/// <summary>What a copy from the embedded store did.</summary>
/// <param name="Tables">Rows copied per table (by this call; tables an earlier, interrupted call finished show the rows it copied).</param>
/// <param name="ArtifactsCopied">Artifacts this call uploaded.</param>
/// <param name="ArtifactsPresent">Artifacts the target already held (from an earlier call, or shared content).</param>
/// <param name="BytesCopied">Bytes of the artifacts this call uploaded.</param>
/// <param name="ResumedSteps">Steps an earlier, interrupted call had finished, which this one did not redo.</param>
/// <param name="AuditLogIntact">Whether the target's audit chain verified after the copy.</param>
public sealed record MigrationReport(
    IReadOnlyDictionary<string, long> Tables,
    long ArtifactsCopied,
    long ArtifactsPresent,
    long BytesCopied,
    int ResumedSteps,
    bool AuditLogIntact);

/// <summary>Where a copy is: the step (a table, or <c>artifacts</c>), and how far into it.</summary>
/// <param name="Step">The table being copied, or <c>artifacts</c>.</param>
/// <param name="Done">Rows or artifacts done in this step.</param>
/// <param name="Total">Rows or artifacts in this step.</param>
public readonly record struct MigrationProgress(string Step, long Done, long Total);
