using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace MlOps.Sdk.Storage.Conformance;

/// <summary>
/// Builds a service provider the way a host would: <c>AddMlOps()</c>, the layers, then the provider under test
/// through <see cref="ConfigureProvider"/>. Each test gets a fresh root directory and a fresh provider.
/// </summary>
public abstract class ProviderTestBase : IAsyncLifetime
{
    private ServiceProvider? _services;

    /// <summary>A directory of this test's own, deleted afterwards.</summary>
    protected string Root { get; } = Path.Combine(Path.GetTempPath(), "mlops-conformance-" + Guid.NewGuid().ToString("N"));

    /// <summary>The clock every store and layer of the test reads.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>The test's services.</summary>
    protected IServiceProvider Services => _services ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>Registers the provider under test.</summary>
    protected abstract void ConfigureProvider(IMlOpsBuilder builder);

    /// <summary>Registers the layers the suite needs.</summary>
    protected virtual void ConfigureLayers(IMlOpsBuilder builder)
    {
    }

    /// <inheritdoc />
    public virtual Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        var builder = services.AddMlOps(o => o.RootDirectory = Root);
        ConfigureLayers(builder);
        ConfigureProvider(builder);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
