using System.Diagnostics;
using MlOps.Sdk.Tests;
using Xunit;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>Debian's Chromium, headless, for one command: a page's DOM after its scripts ran, or a screenshot.</summary>
internal static class HeadlessChromium
{
    private static readonly string[] Browsers = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    /// <summary>Runs Chromium with <paramref name="arguments"/> (after the headless ones) and returns what it printed.</summary>
    public static async Task<string> RunAsync(params string[] arguments)
    {
        DebianPackage.EnsureInstalled("chromium", () => Browsers.Any(File.Exists));
        var start = new ProcessStartInfo(Browsers.First(File.Exists)) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--virtual-time-budget=5000" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {await errors}");
        return await output;
    }

    /// <summary>The DOM of <paramref name="file"/> once its scripts ran.</summary>
    public static Task<string> DumpDomAsync(string file) => RunAsync("--dump-dom", new Uri(file).AbsoluteUri);
}
