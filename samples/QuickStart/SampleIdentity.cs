using MlOps.Sdk;

namespace QuickStart;

/// <summary>Stands in for a web host's signed-in user, so that the sample can show a second person approving.</summary>
public sealed class SampleIdentity : IActorIdentity
{
    public string CurrentActor { get; set; } = "data-scientist";
}
