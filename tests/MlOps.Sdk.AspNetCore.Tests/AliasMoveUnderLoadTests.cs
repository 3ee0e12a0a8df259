using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.AspNetCore.Tests;

/// <summary>Aliases moved through the management API while HTTP clients predict: nothing fails, and every answer names the version that made it.</summary>
public sealed class AliasMoveUnderLoadTests
{
    [Fact]
    public async Task EightClientsPredict_WhileTheAliasMoves_ZeroFailures_AndEveryProvenanceIsTheComputingVersion()
    {
        await using var server = await Scenario.StartAsync(
            map: app =>
            {
                app.MapModel<Row, Sums>(Scenario.Model);
                app.MapMlOpsManagement();
            },
            host: h => h.PollInterval = TimeSpan.FromMilliseconds(100));
        var registry = server.Services.GetRequiredService<ModelRegistry>();
        foreach (var c in new[] { 2f, 3f })
        {
            await registry.RegisterModelAsync(Scenario.Model, new MemoryStream(OnnxModels.AddConstant(c, 4)));
        }

        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var served = new ConcurrentDictionary<int, int>();
        var clients = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var client = server.Client($"scorer-{i}", MlOpsPolicies.Predict);
            var x = (float)i;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.PostAsync("/models/adder/predict", new StringContent($$"""{"features":[{{x}},{{x}},{{x}},{{x}}]}""", Encoding.UTF8, "application/json"));
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Enqueue($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                        continue;
                    }

                    var version = int.Parse(response.Headers.GetValues("MlOps-Model-Version").Single());
                    var y = (await response.Content.ReadFromJsonAsync<JsonNode>())!["values"]![0]!.GetValue<float>();
                    if (y != x + version)
                    {
                        failures.Enqueue($"version {version} in the headers, but {y} = {x} + {y - x} was computed");
                    }

                    served.AddOrUpdate(version, 1, (_, n) => n + 1);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    failures.Enqueue(e.GetType().Name + ": " + e.Message);
                }
            }
        })).ToArray();

        var promoter = server.Client("alice", MlOpsPolicies.Promote);
        var moves = new[] { 2, 3, 1, 3, 2, 1, 2, 3, 1, 2 };
        foreach (var version in moves)
        {
            await Task.Delay(150);
            var moved = await promoter.PutAsJsonAsync("/mlops/api/models/adder/aliases/production", new { version });
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        }

        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.Empty(failures);
        Assert.Equal([1, 2, 3], served.Keys.Order());
        Assert.True(served.Values.Sum() > 500, $"only {served.Values.Sum()} predictions were made");
    }
}
