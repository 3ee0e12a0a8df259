using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;
using Features = MlOps.Sdk.Monitoring.Tests.HostMonitoringTests.Features;
using Score = MlOps.Sdk.Monitoring.Tests.HostMonitoringTests.Score;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary><c>AddMonitoring</c>: named options validated on start, nothing done at registration, nothing registered twice.</summary>
public sealed class MonitoringRegistrationTests
{
    [Fact]
    public async Task AddMonitoring_Twice_RegistersOneMonitor_AndOneStarter_AndComposesTheOptions()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddTracking().AddModelRegistry().UseInMemoryStores()
            .AddModelHost<Features, Score>("mlp", h => h.PinVersion(1))
            .AddMonitoring<Features, Score>("mlp", m => m.Drift.WindowSize = 500)
            .AddMonitoring<Features, Score>("mlp", m => m.AlertWhen(AlertRule.Drift()));
        await using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(ModelMonitor<Features, Score>) && Equals(d.ServiceKey, "mlp"));
        Assert.Single(provider.GetServices<IHostedService>(), s => s.GetType().Name.StartsWith("Starter", StringComparison.Ordinal));
        var options = provider.GetRequiredService<IOptionsMonitor<ModelMonitorOptions>>().Get("mlp");
        Assert.Equal(500, options.Drift.WindowSize);
        Assert.Single(options.Rules);
    }

    [Fact]
    public async Task AddMonitoring_WithOptionsThatCannotWork_FailsOnStart_NotAtRegistration()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddTracking().AddModelRegistry().UseInMemoryStores()
            .AddModelHost<Features, Score>("mlp", h => h.PinVersion(1))
            .AddMonitoring<Features, Score>("mlp", m => m.Drift.WindowSize = 1);
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("WindowSize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMonitoring_UnderATakenNameWithOtherTypes_Throws()
    {
        var builder = new ServiceCollection().AddMlOps().AddTracking().AddModelRegistry().UseInMemoryStores()
            .AddMonitoring<Features, Score>("mlp");

        Assert.Throws<InvalidOperationException>(() => builder.AddMonitoring<Score, Features>("mlp"));
    }
}
