using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlOps.Sdk.Artifacts;
using Xunit;

namespace MlOps.Sdk.Core.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public void AddMlOps_CalledTwice_RegistersOneStoreAndAppliesBothConfigurations()
    {
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = "first");
        services.AddMlOps(o => o.ArtifactsDirectory = "blobs");

        using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(ArtifactStore));
        var options = provider.GetRequiredService<IOptions<MlOpsOptions>>().Value;
        Assert.Equal("first", options.RootDirectory);
        Assert.Equal("blobs", options.ArtifactsDirectory);
    }

    [Fact]
    public void AddMlOps_EmptyRootDirectory_FailsValidation()
    {
        var services = new ServiceCollection();
        services.AddMlOps(o => o.RootDirectory = "");

        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MlOpsOptions>>().Value);
        Assert.Contains("RootDirectory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMlOps_HostTimeProvider_IsKept()
    {
        var services = new ServiceCollection();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        services.AddSingleton<TimeProvider>(time);
        services.AddMlOps();

        using var provider = services.BuildServiceProvider();

        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
    }
}
