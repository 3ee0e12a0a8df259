using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Testing.Artifacts;
using MlOps.Sdk.Versioning;
using Xunit;
using VectorIn = MlOps.Sdk.Serving.Tests.ModelHostTests.VectorIn;
using VectorOut = MlOps.Sdk.Serving.Tests.ModelHostTests.VectorOut;

namespace MlOps.Sdk.Serving.Tests;

/// <summary>
/// Loading through the <see cref="MlOpsResiliencePipelines.ModelLoad"/> pipeline. A remote store's dropped connection cannot be caused with
/// the embedded stores, so a wrapper fails the first reads with the <see cref="IOException"/> such a store raises.
/// </summary>
public sealed class LoadResilienceTests
{
    [Theory]
    [InlineData(2, true)]
    [InlineData(100, false)]
    public async Task TransientReadFailures_AreRetried_AndPersistentOnesFailTheLoadOnly(int failures, bool loads)
    {
        var flaky = new FlakyArtifactStore(new InMemoryArtifactStore(TimeProvider.System), failures);
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry().AddModelHost<VectorIn, VectorOut>("adder", h => h.PinVersion(1)).UseInMemoryStores();
        services.AddSingleton<ArtifactStore>(flaky);
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ModelRegistry>();
        var version = await registry.RegisterModelAsync("adder", new MemoryStream(OnnxModels.AddConstant(1f, 4)));
        var host = provider.GetRequiredKeyedService<ModelHost<VectorIn, VectorOut>>("adder");
        ModelLoadFailure? failure = null;
        host.LoadFailed += (_, f) => failure = f;
        flaky.Arm();

        Assert.Equal(loads, await host.SwapToAsync(version));

        if (loads)
        {
            Assert.Equal(3, flaky.Reads);
            Assert.Equal([2f, 2f, 2f, 2f], host.Predict(new VectorIn { X = [1, 1, 1, 1] }).Y!);
        }
        else
        {
            Assert.Equal(5, flaky.Reads);
            Assert.Equal("load", failure!.Stage);
            Assert.IsType<IOException>(failure.Error);
        }
    }
}
