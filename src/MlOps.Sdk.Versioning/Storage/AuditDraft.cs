namespace MlOps.Sdk.Versioning.Storage;

/// <summary>An audit entry to append in the same transaction as the change it records.</summary>
public sealed record AuditDraft(DateTimeOffset Time, string Actor, string Action, string Subject, string? Before, string? After, string? Reason);
