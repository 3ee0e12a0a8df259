namespace MlOps.Sdk.Versioning.Audit;

/// <summary>One entry of the append-only audit log.</summary>
/// <param name="Sequence">The entry's position, from 1 without gaps.</param>
/// <param name="Time">When the change was made.</param>
/// <param name="Actor">Who made it.</param>
/// <param name="Action">What was done, such as <c>alias.move</c>.</param>
/// <param name="Subject">What it was done to, such as <c>fraud@production</c>.</param>
/// <param name="Before">The state before, or null.</param>
/// <param name="After">The state after, or null.</param>
/// <param name="Reason">Why, as given by the actor, or null.</param>
/// <param name="PreviousHash">The hash of the entry before (64 zeros for the first).</param>
/// <param name="Hash">SHA-256 over this entry's fields and <paramref name="PreviousHash"/>.</param>
public sealed record AuditEntry(long Sequence, DateTimeOffset Time, string Actor, string Action, string Subject, string? Before, string? After, string? Reason, string PreviousHash, string Hash);
