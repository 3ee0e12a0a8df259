using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MlOps.Sdk.Tests;
using MlOps.Sdk.Tracking;
using Xunit;

namespace MlOps.Sdk.AspNetCore.Tests;

/// <summary>
/// The runs table over 100,000 runs (imported in bulk, two params and two metrics each) in headless Chromium: sorted by a
/// metric's column, paged forward, and filtered, each page exactly the runs search returns for the same query.
/// </summary>
public sealed class DashboardScaleTests
{
    private const int Runs = 100_000;

    [Fact]
    public async Task TheRunsTable_Over100000Runs_SortsPagesAndFilters_AsSearchDoes()
    {
        string[] browsers = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
        DebianPackage.EnsureInstalled("chromium", () => browsers.Any(File.Exists));
        await using var server = await Scenario.StartAsync(map: app =>
        {
            app.MapMlOpsManagement();
            app.MapMlOpsDashboard();
        });
        var tracker = server.Services.GetRequiredService<ExperimentTracker>();
        var random = new Random(11);
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await tracker.ImportRunsAsync("sweep", Enumerable.Range(0, Runs).Select(i => new RunImport($"run-{i}", RunStatus.Finished, start.AddSeconds(i), start.AddSeconds(i + 30))
        {
            Params = new Dictionary<string, string> { ["model"] = i % 2 == 0 ? "lbfgs" : "sdca", ["l2"] = (i % 7).ToString(CultureInfo.InvariantCulture) },
            Metrics = new Dictionary<string, IReadOnlyList<Metric>>
            {
                ["auc"] = [new Metric(random.NextDouble(), 0, start.AddSeconds(i).ToUnixTimeMilliseconds())],
                ["loss"] = [new Metric(random.NextDouble(), 0, start.AddSeconds(i).ToUnixTimeMilliseconds())],
            },
        }));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = browsers.First(File.Exists),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.Address.ToString(),
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + ApiServer.Token("victor", MlOpsPolicies.Read) },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        var problems = new List<string>();
        page.PageError += (_, error) => problems.Add("page: " + error);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                problems.Add($"{response.Status}: {response.Url}");
            }
        };

        await page.GotoAsync("/mlops/#/runs");
        await page.WaitForSelectorAsync("table#runs tbody tr");
        Assert.Equal(await SearchAsync(tracker, new RunSearchQuery { MaxResults = 50 }), await ShownAsync(page));

        await page.GetByRole(AriaRole.Button, new() { Name = "auc" }).ClickAsync();
        await page.WaitForFunctionAsync("() => location.hash.includes('order=metrics.auc')");
        await page.WaitForSelectorAsync("th[aria-sort='descending']");
        var byAuc = new RunSearchQuery { OrderBy = ["metrics.auc DESC"], MaxResults = 50 };
        var first = await tracker.SearchRunsAsync(byAuc);
        Assert.Equal(first.Runs.Select(r => r.Info.RunId), await ShownAsync(page));

        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await page.WaitForFunctionAsync("() => location.hash.includes('page=')");
        await page.WaitForSelectorAsync($"table#runs tbody tr[data-run='{(await tracker.SearchRunsAsync(byAuc with { PageToken = first.NextPageToken })).Runs[0].Info.RunId}']");
        Assert.Equal(await SearchAsync(tracker, byAuc with { PageToken = first.NextPageToken }), await ShownAsync(page));

        const string Filter = "metrics.auc > 0.999 AND params.model = 'lbfgs'";
        await page.GetByLabel("Filter runs").FillAsync(Filter);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.WaitForFunctionAsync("() => location.hash.includes('filter=')");
        var filtered = await SearchAsync(tracker, new RunSearchQuery { Filter = Filter, OrderBy = ["metrics.auc DESC"], MaxResults = 50 });
        Assert.InRange(filtered.Count, 10, 50);
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('table#runs tbody tr').length === {filtered.Count}");
        Assert.Equal(filtered, await ShownAsync(page));
        Assert.Empty(problems);
    }

    private static async Task<List<string>> SearchAsync(ExperimentTracker tracker, RunSearchQuery query) =>
        [.. (await tracker.SearchRunsAsync(query)).Runs.Select(r => r.Info.RunId)];

    private static async Task<List<string>> ShownAsync(IPage page) =>
        [.. await page.Locator("table#runs tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.run)")];
}
