using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MlOps.Sdk.Tests;
using Xunit;

namespace MlOps.Sdk.Cli.Tests;

/// <summary>
/// What a new user does: run the QuickStart, then <c>mlops ui</c> over the store it filled, and open every page of the
/// dashboard in real headless Chromium (Debian's, through Playwright) — no console error, no failed request.
/// </summary>
public sealed class QuickStartDashboardTests : IDisposable
{
    private readonly string _store = Directory.CreateTempSubdirectory("mlops-quickstart-").FullName;

    public void Dispose() => Directory.Delete(_store, recursive: true);

    [Fact]
    public async Task MlopsUi_OverTheQuickStartsStore_LoadsEveryPage_WithNoConsoleErrorOrFailedRequest()
    {
        await RunQuickStartAsync();
        var runs = (await Mlops.RunAsync(_store, "runs", "list", "--json")).Json["runs"]!.AsArray().Select(r => r!["info"]!["runId"]!.GetValue<string>()).ToList();
        var fraud = (await Mlops.RunAsync(_store, "models", "show", "fraud", "--json")).Json;
        var production = fraud["model"]!["aliases"]!["production"]!.GetValue<int>();
        Assert.True(runs.Count >= 4, $"{runs.Count} runs");

        string[] browsers = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
        DebianPackage.EnsureInstalled("chromium", () => browsers.Any(File.Exists));
        using var ui = Mlops.Start(_store, "ui", "--port", "0");
        try
        {
            var line = await ui.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.NotNull(line);
            var link = line[line.IndexOf("http", StringComparison.Ordinal)..];
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = browsers.First(File.Exists),
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
            var page = await browser.NewPageAsync();
            // Generous: CI runs this beside the PostgreSQL and browser suites on two cores.
            page.SetDefaultTimeout(60_000);
            var problems = new List<string>();
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    problems.Add("console: " + message.Text);
                }
            };
            page.PageError += (_, error) => problems.Add("page: " + error);
            page.RequestFailed += (_, request) => problems.Add("failed: " + request.Url);
            page.Response += (_, response) =>
            {
                if (response.Status >= 400)
                {
                    problems.Add($"{response.Status}: {response.Url}");
                }
            };

            await page.GotoAsync(link);
            await page.WaitForSelectorAsync("table#runs tbody tr");
            Assert.Equal(runs.Count, await page.Locator("table#runs tbody tr").CountAsync());
            // Each page is known by its heading first: another page's element must not pass for it (the lineage
            // graphs of a model and of a dataset both have run nodes).
            var pages = new (string Route, string Heading, string Ready)[]
            {
                ($"#/runs/{runs[0]}", "Run ", "figure[data-metric] polyline"),
                ($"#/compare?runs={string.Join(',', runs.Take(4))}", "Compare runs", "figure[data-chart='auc'] polyline"),
                ("#/models", "Models", "#audit.good"),
                ("#/models/fraud", "Model fraud", "table#versions tbody tr"),
                ($"#/lineage/model/fraud/{production}", $"Lineage of fraud version {production}", "svg.lineage [data-node^='deployment:']"),
                ("#/lineage/dataset/synthetic-fraud/1", "Lineage of synthetic-fraud dataset version 1", "svg.lineage [data-node^='run:']"),
                ("#/production", "Production", "p.muted"),
                ("#/runs?filter=" + Uri.EscapeDataString("params.model = 'lbfgs'"), "Runs", "table#runs tbody tr"),
            };
            var origin = new Uri(link).GetLeftPart(UriPartial.Authority);
            foreach (var (route, heading, ready) in pages)
            {
                await page.GotoAsync($"{origin}/mlops/{route}");
                try
                {
                    await page.Locator("main h1", new() { HasTextRegex = new Regex("^" + Regex.Escape(heading)) }).WaitForAsync();
                    // Loaded when the dashboard says it is no longer busy: nothing of the page is still being read.
                    await page.WaitForSelectorAsync("main:not([aria-busy]) " + ready);
                }
                catch (TimeoutException e)
                {
                    throw new TimeoutException($"{route}: {e.Message}\nshown: {await page.Locator("main").InnerTextAsync()}\nproblems: {string.Join("; ", problems)}", e);
                }
                Assert.NotEqual("Something went wrong", await page.Locator("h1").TextContentAsync());
            }

            var lbfgs = (await Mlops.RunAsync(_store, "runs", "list", "--filter", "params.model = 'lbfgs'", "--json")).Json["runs"]!.AsArray().Select(r => r!["info"]!["runId"]!.GetValue<string>());
            Assert.Equal(lbfgs.Order(), (await page.Locator("table#runs tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.run)")).Order());
            Assert.Empty(problems);
        }
        finally
        {
            ui.Kill(entireProcessTree: true);
            await ui.WaitForExitAsync();
        }
    }

    private async Task RunQuickStartAsync()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Mlops.Built("samples/QuickStart", "QuickStart.dll"));
        start.ArgumentList.Add(_store);
        using var quickStart = Process.Start(start)!;
        var output = quickStart.StandardOutput.ReadToEndAsync();
        var error = quickStart.StandardError.ReadToEndAsync();
        await quickStart.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(quickStart.ExitCode == 0, $"QuickStart exited with {quickStart.ExitCode}: {await output}\n{await error}");
    }
}
