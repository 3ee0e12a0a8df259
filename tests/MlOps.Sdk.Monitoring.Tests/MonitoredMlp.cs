using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>What the tests of a monitored MLP host share: a trained version with its reference profile, and a host's start.</summary>
internal static class MonitoredMlp
{
    /// <summary>Logs an MLP and a reference profile of <paramref name="profileRows"/> rows with a training run, and registers it.</summary>
    public static async Task<ModelVersion> RegisterTrainedAsync<TRow>(IServiceProvider provider, IEnumerable<TRow> profileRows, int[]? hidden = null, int seed = 1)
    {
        string runId;
        await using (var run = await provider.GetRequiredService<ExperimentTracker>().StartRunAsync("mlp", "trained"))
        {
            runId = run.Id;
            await run.LogArtifactAsync("model.onnx", new MemoryStream(OnnxModels.Mlp(10, hidden ?? [16], seed)));
            await run.LogReferenceProfileAsync(ReferenceProfile.Build(profileRows));
        }

        return await provider.GetRequiredService<ModelRegistry>().RegisterModelFromRunAsync("mlp", runId, "model.onnx");
    }

    /// <summary>Starts the hosted services, as a generic host does.</summary>
    public static async Task StartAsync(IServiceProvider provider)
    {
        foreach (var service in provider.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }
    }
}
