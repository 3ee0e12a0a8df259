using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;
using Xunit;
using VectorIn = MlOps.Sdk.Serving.Tests.ModelHostTests.VectorIn;
using VectorOut = MlOps.Sdk.Serving.Tests.ModelHostTests.VectorOut;

namespace MlOps.Sdk.Serving.Tests;

/// <summary>
/// Tests that listen to the SDK's spans. A listener is process-wide: while it samples, every prediction in the process
/// makes a span, which would show as allocations and slowness in the tests beside it; these run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SpanListeningCollection
{
    public const string Name = "Listens to spans";
}

[Collection(SpanListeningCollection.Name)]
public sealed class SwapSpanTests
{
    [Fact]
    public async Task FollowingAnAliasThatDoesNotMove_EmitsNoSwapSpans()
    {
        var spans = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "MlOps.Sdk.Serving",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
            ActivityStopped = spans.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var services = new ServiceCollection();
        services.AddMlOps().AddModelRegistry()
            .AddModelHost<VectorIn, VectorOut>("quiet-alias", h =>
            {
                h.FollowAlias("production");
                h.PollInterval = TimeSpan.FromMilliseconds(20);
            })
            .UseInMemoryStores();
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ModelRegistry>();
        var version = await registry.RegisterModelAsync("quiet-alias", new MemoryStream(OnnxModels.AddConstant(1f, 4)));
        await registry.SetAliasAsync("quiet-alias", "production", version.Number);
        var host = provider.GetRequiredService<ModelHost<VectorIn, VectorOut>>();

        await host.StartAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        // About 25 polls ran; one version was loaded once. (The model name is this test's own: spans are process-wide.)
        Assert.Single(spans, s => s.OperationName == "mlops.swap" && (string?)s.GetTagItem("mlops.model") == "quiet-alias");
    }
}
