using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Monitoring.Tests;

public sealed class ReferenceProfilesTests
{
    [Fact]
    public async Task AProfileLoggedWithTheTrainingRun_IsFoundFromAnyVersionRegisteredFromIt()
    {
        var services = new ServiceCollection();
        services.AddMlOps().AddTracking().AddModelRegistry().UseInMemoryStores();
        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ExperimentTracker>();
        var registry = provider.GetRequiredService<ModelRegistry>();
        var random = new Random(5);
        var profile = ReferenceProfile.Build(Enumerable.Range(0, 200).Select(_ => new MonitorTests.Row { Amount = random.NextDouble(), V = [1, 2, 3], Country = "FR" }));
        string runId;
        await using (var run = await tracker.StartRunAsync("fraud", "with-profile"))
        {
            runId = run.Id;
            await run.LogArtifactAsync("model/model.onnx", new MemoryStream(OnnxModels.AddConstant(1f, 4)));
            await run.LogReferenceProfileAsync(profile);
        }

        var version = await registry.RegisterModelFromRunAsync("fraud", runId, "model/model.onnx");
        var loaded = await ReferenceProfiles.LoadForVersionAsync(tracker, version);

        Assert.Equal(profile.Features.Select(f => (f.Name, f.Count, f.Mean)), loaded.Features.Select(f => (f.Name, f.Count, f.Mean)));
        var withoutRun = await registry.RegisterModelAsync("fraud", new MemoryStream(OnnxModels.AddConstant(2f, 4)));
        await Assert.ThrowsAsync<MlOpsNotFoundException>(() => ReferenceProfiles.LoadForVersionAsync(tracker, withoutRun));
        await using (var bare = await tracker.StartRunAsync("fraud", "no-profile"))
        {
            await bare.LogArtifactAsync("model/model.onnx", new MemoryStream(OnnxModels.AddConstant(3f, 4)));
            runId = bare.Id;
        }

        var noProfile = await registry.RegisterModelFromRunAsync("fraud", runId, "model/model.onnx");
        var error = await Assert.ThrowsAsync<MlOpsNotFoundException>(() => ReferenceProfiles.LoadForVersionAsync(tracker, noProfile));
        Assert.Contains(ReferenceProfiles.ArtifactPath, error.Message, StringComparison.Ordinal);
    }
}
