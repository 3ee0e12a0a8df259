namespace MlOps.Sdk.Versioning;

/// <summary>The state of an approval request.</summary>
public enum ApprovalState
{
    /// <summary>Waiting for approvers.</summary>
    Pending,

    /// <summary>Approved by enough distinct approvers.</summary>
    Approved,

    /// <summary>Rejected by an approver.</summary>
    Rejected,
}

/// <summary>A request to point an alias at a version, bound to the version's content digest.</summary>
/// <param name="Id">The request id.</param>
/// <param name="ModelName">The model.</param>
/// <param name="Alias">The protected alias.</param>
/// <param name="Version">The version to point it at.</param>
/// <param name="Digest">The digest the version had when the request was made; approvals count only for it.</param>
/// <param name="RequiredApprovals">How many distinct approvers the policy asked for.</param>
/// <param name="Requester">Who asked (and so cannot approve).</param>
/// <param name="Comment">Why.</param>
/// <param name="RequestedAt">When.</param>
/// <param name="State">Pending, approved or rejected.</param>
/// <param name="Decisions">Approvals and rejections so far.</param>
public sealed record ApprovalRequest(
    long Id,
    string ModelName,
    string Alias,
    int Version,
    ContentDigest Digest,
    int RequiredApprovals,
    string Requester,
    string? Comment,
    DateTimeOffset RequestedAt,
    ApprovalState State,
    IReadOnlyList<ApprovalDecision> Decisions);

/// <summary>An approver's decision.</summary>
public sealed record ApprovalDecision(string Approver, bool Approved, string? Comment, DateTimeOffset At);
