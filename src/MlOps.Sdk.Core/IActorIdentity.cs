namespace MlOps.Sdk;

/// <summary>
/// Who is acting: recorded as the user of the runs it starts (<c>attributes.user_id</c>), in the registry's audit log, and
/// checked by approval rules. Register your own to use an authenticated user.
/// </summary>
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
