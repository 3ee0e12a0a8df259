using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Testing.Artifacts;
using MlOps.Sdk.Versioning;
using Polly;
using Xunit;
using VectorIn = MlOps.Sdk.Serving.Tests.ModelHostTests.VectorIn;
using VectorOut = MlOps.Sdk.Serving.Tests.ModelHostTests.VectorOut;

namespace MlOps.Sdk.Serving.Tests;

/// <summary><c>AddModelHost</c>: named options validated on start, nothing done at registration, nothing registered twice.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public async Task AddModelHost_Twice_RegistersOneHost_OneStarter_AndOneHealthCheck_AndComposesTheOptions()
    {
        var services = new ServiceCollection();
        var builder = services.AddMlOps().AddModelRegistry().UseInMemoryStores();
        builder.AddModelHost<VectorIn, VectorOut>("adder", h => h.FollowAlias("production").Canary("candidate", 10));
        builder.AddModelHost<VectorIn, VectorOut>("adder", h => h.Canary("candidate", 10).PollInterval = TimeSpan.FromSeconds(1));
        await using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(ModelHost<VectorIn, VectorOut>) && Equals(d.ServiceKey, "adder"));
        Assert.Single(provider.GetServices<IHostedService>(), s => s.GetType().Name == "ModelHostStarter");
        Assert.Single(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations, r => r.Name == "mlops-model-adder");
        var options = provider.GetRequiredService<IOptionsMonitor<ModelHostOptions>>().Get("adder");
        Assert.Equal(TimeSpan.FromSeconds(1), options.PollInterval);
        Assert.Equal("production", options.Alias);
        Assert.Single(options.Variants);
    }

    [Fact]
    public void AddModelHost_UnderATakenNameWithOtherTypes_Throws()
    {
        var builder = new ServiceCollection().AddMlOps().AddModelRegistry().UseInMemoryStores();
        builder.AddModelHost<VectorIn, VectorOut>("adder", h => h.PinVersion(1));

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddModelHost<MlpRow, MlpScore>("adder", h => h.PinVersion(1)));

        Assert.Contains("'adder'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddModelHost_RunsNothingAtRegistration_AndAHostWithNothingToServe_FailsValidationOnStart()
    {
        var configured = 0;
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().UseInMemoryStores()
            .AddModelHost<VectorIn, VectorOut>("adder", h => configured++);
        Assert.Equal(0, configured);
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(1, configured);
        Assert.Contains("FollowAlias(...) or PinVersion(...)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServingOptions_OutOfRange_FailValidationOnStart()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().UseInMemoryStores().AddModelHost<VectorIn, VectorOut>("adder", h => h.PinVersion(1));
        services.Configure<ServingOptions>(o => o.ObserverQueueCapacity = 0);
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(nameof(ServingOptions.ObserverQueueCapacity), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLoadPipeline_ComesFromDi_RunsOnTheHostsClock_AndCanBeReplaced()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using (var provider = Build(time, replace: false, out var flaky))
        {
            var (host, version) = await ArmAsync(provider, flaky);

            var swap = host.SwapToAsync(version);
            await flaky.WaitForReadsAsync(1);
            Assert.False(swap.IsCompleted, "The retry did not wait for the host's clock.");
            for (var i = 0; i < 20 && !swap.IsCompleted; i++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(10);
            }

            Assert.True(await swap.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal(3, flaky.Reads);
        }


        await using (var provider = Build(TimeProvider.System, replace: true, out var flaky))
        {
            var (host, version) = await ArmAsync(provider, flaky);

            Assert.False(await host.SwapToAsync(version).WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal(1, flaky.Reads);
        }

        static ServiceProvider Build(TimeProvider time, bool replace, out FlakyArtifactStore flaky)
        {
            flaky = new FlakyArtifactStore(new InMemoryArtifactStore(TimeProvider.System), failures: 2);
            var services = new ServiceCollection();
            services.AddMlOps().AddModelRegistry().UseInMemoryStores().AddModelHost<VectorIn, VectorOut>("adder", h => h.PinVersion(1));
            services.AddSingleton<TimeProvider>(time);
            services.AddSingleton<ArtifactStore>(flaky);
            if (replace)
            {
                services.AddResiliencePipeline(MlOpsResiliencePipelines.ModelLoad, _ => { });
            }

            return services.BuildServiceProvider();
        }

        static async Task<(ModelHost<VectorIn, VectorOut> Host, ModelVersion Version)> ArmAsync(IServiceProvider provider, FlakyArtifactStore flaky)
        {
            var version = await provider.GetRequiredService<ModelRegistry>().RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(1f, 4)));
            flaky.Arm();
            return (provider.GetRequiredKeyedService<ModelHost<VectorIn, VectorOut>>("adder"), version);
        }
    }
}
