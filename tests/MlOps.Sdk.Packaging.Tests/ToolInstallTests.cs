using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.Packaging.Tests;

/// <summary>The <c>mlops</c> tool as an operator gets it: <c>dotnet tool install</c> from the packed feed, then run.</summary>
[Collection(PackedCollection.Name)]
public sealed class ToolInstallTests(PackedFeed feed)
{
    [Fact]
    public async Task DotnetToolInstall_FromTheFeed_GivesAnMlopsCommand_ThatReadsAStore()
    {
        var tools = Path.Combine(feed.Scratch, "tools");
        var (exit, output) = await DotnetCli.RunAsync(feed.Scratch, TimeSpan.FromMinutes(10),
            "tool", "install", "MlOps.Sdk.Cli", "--version", feed.Version, "--tool-path", tools, "--add-source", feed.Feed);
        Assert.True(exit == 0, "dotnet tool install failed:\n" + output);
        Assert.Contains("mlops", output, StringComparison.Ordinal);

        var version = await RunAsync(Path.Combine(tools, "mlops"), "--version");
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith(feed.Version, version.Output.Trim(), StringComparison.Ordinal);

        var store = Path.Combine(feed.Scratch, "tool-store");
        var runId = await FillAsync(store);
        var runs = await RunAsync(Path.Combine(tools, "mlops"), "runs", "list", "--filter", "metrics.auc > 0.9", "--store", store, "--json");
        Assert.True(runs.ExitCode == 0, runs.Output + runs.Error);
        Assert.Contains(runId, runs.Output, StringComparison.Ordinal);
        var data = Directory.CreateDirectory(Path.Combine(feed.Scratch, "tool-data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "rows.csv"), "a,b\n1,2\n");
        var snapshot = await RunAsync(Path.Combine(tools, "mlops"), "datasets", "snapshot", "rows", data, "--store", store, "--json");
        Assert.True(snapshot.ExitCode == 0, snapshot.Output + snapshot.Error);
        Assert.Contains("\"version\": 1", snapshot.Output, StringComparison.Ordinal);

        var verify = await RunAsync(Path.Combine(tools, "mlops"), "audit", "verify", "--store", store, "--json");
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        var missing = await RunAsync(Path.Combine(tools, "mlops"), "runs", "list", "--store", Path.Combine(feed.Scratch, "no-store"));
        Assert.Equal(3, missing.ExitCode);
        Assert.Single(missing.Error.Trim().Split('\n'));
    }

    /// <summary>A store as an application leaves it: one run, one model version.</summary>
    private static async Task<string> FillAsync(string root)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddMlOps(o => o.RootDirectory = root).AddTracking().AddDatasets().AddModelRegistry().UseSqlite();
        await using var provider = services.BuildServiceProvider();
        string runId;
        await using (var run = await provider.GetRequiredService<ExperimentTracker>().StartRunAsync("fraud", "first"))
        {
            runId = run.Id;
            run.LogMetric("auc", 0.95);
            await run.LogArtifactAsync("model.onnx", new MemoryStream(OnnxModels.AddConstant(1f, 4)));
        }

        await provider.GetRequiredService<ModelRegistry>().RegisterModelFromRunAsync("fraud", runId, "model.onnx");
        return runId;
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["MLOPS_STORE"] = "";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await output, await error);
    }
}
