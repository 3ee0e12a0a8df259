using System.Reflection;
using Xunit;

namespace MlOps.Sdk.Storage.Conformance;

/// <summary>The suites every storage provider's test project must inherit, and the check that it did.</summary>
public static class ConformanceSuites
{
    /// <summary>The suites a provider of <paramref name="capabilities"/> must inherit.</summary>
    public static IReadOnlyList<Type> For(ProviderCapabilities capabilities)
    {
        var suites = new List<Type>();
        if (capabilities.HasFlag(ProviderCapabilities.Artifacts))
        {
            suites.Add(typeof(ArtifactStoreConformanceTests));
        }

        if (capabilities.HasFlag(ProviderCapabilities.Tracking))
        {
            suites.Add(typeof(TrackingStoreConformanceTests));
            suites.Add(typeof(RunSearchConformanceTests));
            suites.Add(typeof(RunSearchFuzzConformanceTests));
        }

        if (capabilities.HasFlag(ProviderCapabilities.Versioning))
        {
            suites.Add(typeof(ModelRegistryConformanceTests));
            suites.Add(typeof(DatasetConformanceTests));
            suites.Add(typeof(ArtifactCollectionConformanceTests));
        }

        if (capabilities.HasFlag(ProviderCapabilities.State))
        {
            suites.Add(typeof(StateStoreConformanceTests));
        }

        return suites;
    }

    /// <summary>Fails unless <paramref name="testAssembly"/> has a concrete subclass of every suite for <paramref name="capabilities"/>.</summary>
    public static void AssertAllInherited(Assembly testAssembly, ProviderCapabilities capabilities)
    {
        ArgumentNullException.ThrowIfNull(testAssembly);
        var types = testAssembly.GetTypes().Where(t => !t.IsAbstract).ToList();
        var missing = For(capabilities).Where(suite => !types.Exists(suite.IsAssignableFrom)).Select(s => s.Name).ToList();
        Assert.True(missing.Count == 0, $"{testAssembly.GetName().Name} does not run these conformance suites: {string.Join(", ", missing)}");
    }
}

/// <summary>What a provider stores.</summary>
[Flags]
public enum ProviderCapabilities
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>An <c>ArtifactStore</c>.</summary>
    Artifacts = 1,

    /// <summary>A <c>TrackingStore</c>.</summary>
    Tracking = 2,

    /// <summary>A <c>ModelRegistryStore</c> and a <c>DatasetStore</c>.</summary>
    Versioning = 4,

    /// <summary>A <c>StateStore</c>.</summary>
    State = 8,
}
