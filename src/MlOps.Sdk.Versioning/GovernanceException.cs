namespace MlOps.Sdk.Versioning;

/// <summary>A registry policy refused the operation: a missing approval, a missing or invalid signature, a self-approval.</summary>
public sealed class GovernanceException : MlOpsException
{
    /// <summary>Creates the error.</summary>
    public GovernanceException(string message) : base(message) { }
}
