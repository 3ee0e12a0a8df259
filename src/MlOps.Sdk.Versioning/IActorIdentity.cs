namespace MlOps.Sdk.Versioning;

/// <summary>Who is acting: recorded in the audit log and checked by approval rules. Register your own to use an authenticated user.</summary>
public interface IActorIdentity
{
    /// <summary>The name of the acting user or service.</summary>
    string CurrentActor { get; }
}

/// <summary>The default identity: the operating-system user running the process.</summary>
internal sealed class OperatingSystemIdentity : IActorIdentity
{
    public string CurrentActor => Environment.UserName;
}
