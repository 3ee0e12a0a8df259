using MlOps.Sdk;

namespace MlOps.Sdk.Storage.Conformance;

/// <summary>An identity a test can switch, as a web host switches users between requests.</summary>
public sealed class SwitchableIdentity : IActorIdentity
{
    /// <inheritdoc />
    public string CurrentActor { get; set; } = "alice";
}
