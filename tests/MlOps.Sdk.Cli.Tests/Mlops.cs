using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MlOps.Sdk.Cli.Tests;

/// <summary>The built <c>mlops</c> tool, run as a process with its output redirected, as a script would run it.</summary>
internal static class Mlops
{
    private static readonly Lazy<string> Tool = new(() => Built("src/MlOps.Sdk.Cli", "mlops.dll"));

    /// <summary>A program the test project references (so it is built first), by its project directory in the repository.</summary>
    public static string Built(string project, string assembly)
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MlOps.Sdk.sln")))
        {
            directory = directory.Parent;
        }

        var path = Path.Combine(directory!.FullName, project, "bin", configuration, "net10.0", assembly);
        return File.Exists(path) ? path : throw new FileNotFoundException("Build it first (the test project references it).", path);
    }

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public JsonNode Json => JsonNode.Parse(Output)!;
    }

    public static async Task<Result> RunAsync(string store, params string[] args)
    {
        using var process = Start(store, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Starts the tool and leaves it running, its output redirected.</summary>
    public static Process Start(string store, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Tool.Value);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--store");
        start.ArgumentList.Add(store);
        start.Environment["MLOPS_STORE"] = "";
        start.Environment["MLOPS_APPROVAL_REQUIRED"] = "";
        return Process.Start(start)!;
    }
}
