namespace MlOps.Sdk.Versioning.Audit;

/// <summary>The last entry of a verified log. Keep it outside the store and pass it to the next verification to detect a cut-off tail.</summary>
public sealed record AuditLogHead(long Sequence, string Hash);

/// <summary>The result of verifying the audit log.</summary>
/// <param name="IsIntact">Whether every entry is where and what it was written as.</param>
/// <param name="FirstBadSequence">The position of the first entry that was altered, removed or reordered.</param>
/// <param name="Problem">What is wrong there.</param>
/// <param name="Head">The last entry, when the log is intact.</param>
public sealed record AuditVerification(bool IsIntact, long? FirstBadSequence, string? Problem, AuditLogHead? Head);
