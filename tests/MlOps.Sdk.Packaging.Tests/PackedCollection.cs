using Xunit;

namespace MlOps.Sdk.Packaging.Tests;

/// <summary>The tests that share one packed feed; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackedCollection : ICollectionFixture<PackedFeed>
{
    public const string Name = "Packed feed";
}
