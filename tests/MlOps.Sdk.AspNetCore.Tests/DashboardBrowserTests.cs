using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Tests;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using System.Text.Json.Nodes;
using Xunit;

namespace MlOps.Sdk.AspNetCore.Tests;

/// <summary>
/// The dashboard in real headless Chromium (Debian's, driven by Playwright for .NET; no browser download) over a real
/// Kestrel server and store: no console error and no failed request, the runs table equal to what search returns, a
/// chart of a 1,000,000-point series drawn from at most 2,000 points, and approvals as each person may make them.
/// </summary>
public sealed class DashboardBrowserTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    private const string Filter = "metrics.auc > 0.9 AND params.model = 'lbfgs'";
    private readonly ApiServer _server = site.Server;
    private readonly IBrowser _browser = site.Browser;
    private readonly string _longRun = site.LongRun;

    /// <summary>Every page, with an element that shows it has loaded.</summary>
    private (string Name, string Route, string Ready)[] Pages =>
    [
        ("runs", "#/runs", Loaded("table#runs tbody tr")),
        ("run", $"#/runs/{_longRun}", Loaded("figure[data-metric='loss'] polyline")),
        ("compare", "#/compare?runs=" + string.Join(',', RunIds("params.model = 'lbfgs'")), Loaded("figure[data-chart='auc'] polyline")),
        ("models", "#/models", Loaded("table#models tbody tr")),
        ("model", "#/models/adder", Loaded("table#versions tbody tr")),
        ("lineage", "#/lineage/model/adder/1", Loaded("svg.lineage a")),
        ("production", "#/production/adder", Loaded("section[aria-label='Drift over time'] polyline")),
    ];

    /// <summary>An element of a page that has finished loading (the dashboard marks the page busy until then).</summary>
    private static string Loaded(string selector) => "main:not([aria-busy]) " + selector;

    /// <summary>A page signed in as <paramref name="user"/>, recording console errors and failed or refused requests.</summary>
    private Task<(IPage Page, List<string> Problems)> OpenAsync(string user, params string[] roles) => OpenAsync(user, bypassSecurityPolicy: false, roles);

    private async Task<(IPage Page, List<string> Problems)> OpenAsync(string user, bool bypassSecurityPolicy, params string[] roles)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _server.Address.ToString(),
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + ApiServer.Token(user, roles) },
            BypassCSP = bypassSecurityPolicy,
        });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Add("console: " + message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add("page: " + error);
        page.SetDefaultTimeout(15_000);
        page.RequestFailed += (_, request) => problems.Add("failed: " + request.Url);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                problems.Add($"{response.Status}: {response.Url}");
            }
        };
        return (page, problems);
    }

    private string[] RunIds(string filter) =>
        [.. _server.Services.GetRequiredService<ExperimentTracker>().SearchRunsAsync(new RunSearchQuery { Filter = filter }).GetAwaiter().GetResult().Runs.Select(r => r.Info.RunId)];

    private async Task<JsonNode> ApiAsync(string path)
    {
        using var reader = _server.Client("victor", MlOpsPolicies.Read);
        return JsonNode.Parse(await reader.GetStringAsync("/mlops/api" + path))!;
    }

    [Fact]
    public async Task TheRunsTable_FiltersAsSearchDoes_AndARunsChartOfAMillionPoints_IsDrawnFromAtMost2000()
    {
        var (page, problems) = await OpenAsync("victor", MlOpsPolicies.Read);
        await page.GotoAsync("/mlops/#/runs");
        await page.WaitForSelectorAsync("table#runs tbody tr");
        Assert.Equal(RunIds("").Length, await page.Locator("table#runs tbody tr").CountAsync());

        await page.GetByLabel("Filter runs").FillAsync(Filter);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.WaitForFunctionAsync("() => location.hash.includes('filter') && document.querySelectorAll('table#runs tbody tr').length < 5");
        var shown = await page.Locator("table#runs tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.run)");
        Assert.Equal(RunIds(Filter).Order(), shown.Order());
        Assert.Equal(2, shown.Length);

        await page.GotoAsync($"/mlops/#/runs/{_longRun}");
        var line = page.Locator("figure[data-metric='loss'] polyline");
        await line.WaitForAsync();
        var points = await line.EvaluateAsync<int>("l => l.getAttribute('points').trim().split(' ').length");
        Assert.InRange(points, 100, 2_000);
        Assert.Contains("1000000 points", await page.Locator("figure[data-metric='loss'] svg").GetAttributeAsync("aria-label") ?? "", StringComparison.Ordinal);
        Assert.Empty(problems);
    }

    /// <summary>
    /// Only the keyboard: the skip link, two runs chosen with the space bar and compared (their AUC curves overlaid, the
    /// params that differ marked), then models, a model, a version's lineage graph, and a run from a node of the graph.
    /// </summary>
    [Fact]
    public async Task TheDashboard_IsKeyboardNavigable_FromRunsToComparison_AndFromAModelThroughItsLineage()
    {
        var (page, problems) = await OpenAsync("victor", MlOpsPolicies.Read);
        await page.GotoAsync("/mlops/#/runs");
        await page.WaitForSelectorAsync("table#runs tbody tr");
        Assert.Equal("main", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await TabUntilAsync(page, "e.id === 'skip'", backwards: true);
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("main", await page.EvaluateAsync<string>("() => document.activeElement.id"));

        foreach (var name in new[] { "lbfgs-0.95", "sdca-0.97" })
        {
            await TabUntilAsync(page, $"e.getAttribute('aria-label') === 'Compare {name}'");
            await page.Keyboard.PressAsync("Space");
        }

        await TabUntilAsync(page, "e.textContent === 'Compare selected'");
        await page.Keyboard.PressAsync("Enter");
        var curves = page.Locator("figure[data-chart='auc'] polyline");
        await page.WaitForFunctionAsync("() => document.querySelectorAll(\"figure[data-chart='auc'] polyline\").length === 2");
        Assert.Equal(new[] { 5, 5 }, await curves.EvaluateAllAsync<int[]>("lines => lines.map(l => l.getAttribute('points').trim().split(' ').length)"));
        Assert.Equal(new[] { "lbfgs-0.95", "sdca-0.97" }, (await page.Locator("figure[data-chart='auc'] ul.legend li").AllTextContentsAsync()).Order());
        Assert.Equal(new[] { "l2differs", "modeldiffers" }, await page.Locator("table#comparison tr.differs th").AllTextContentsAsync());

        await page.GotoAsync("/mlops/#/models");
        await page.WaitForSelectorAsync("table#models tbody tr");
        await TabUntilAsync(page, "e.textContent === 'adder'");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync(Loaded("table#versions tbody tr"));
        await TabUntilAsync(page, "e.getAttribute('aria-label') === 'Lineage graph of version 1'");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("svg.lineage a");
        await TabUntilAsync(page, "e.getAttribute('data-node') && e.getAttribute('data-node').startsWith('run:')");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => document.querySelector('h1').textContent === 'Run trained'");
        Assert.Empty(problems);
    }

    private static async Task TabUntilAsync(IPage page, string predicate, bool backwards = false)
    {
        for (var presses = 0; presses < 100; presses++)
        {
            await page.Keyboard.PressAsync(backwards ? "Shift+Tab" : "Tab");
            if (await page.EvaluateAsync<bool>($"() => {{ const e = document.activeElement; return !!e && ({predicate}); }}"))
            {
                return;
            }
        }

        Assert.Fail($"No element reached with Tab matches {predicate}.");
    }

    [Fact]
    public async Task TheModelPages_ShowTheAuditStatus_SignatureDifferences_AndWhatEachAliasPointedToOnADay()
    {
        var (page, problems) = await OpenAsync("victor", MlOpsPolicies.Read);
        await page.GotoAsync("/mlops/#/models");
        Assert.StartsWith("Audit log verified: intact", await page.Locator("#audit").TextContentAsync(), StringComparison.Ordinal);

        await page.GotoAsync("/mlops/#/models/adder");
        await page.WaitForSelectorAsync("table#versions tbody tr");
        await page.SelectOptionAsync("#newer", "3");
        await page.SelectOptionAsync("#older", "1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare", Exact = true }).ClickAsync();
        var expected = await ApiAsync("/models/adder/versions/3/compare/1");
        await page.WaitForSelectorAsync("#signature-diff");
        Assert.Contains(expected["change"]!.GetValue<string>().ToLowerInvariant(), await page.Locator("#signature-diff p").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(expected["differences"]!.AsArray().Select(d => d!.GetValue<string>()), await page.Locator("#signature-diff li").AllTextContentsAsync());
        Assert.NotEmpty(expected["differences"]!.AsArray());

        var registry = _server.Services.GetRequiredService<ModelRegistry>();
        var today = await page.Locator("table#aliases-on tbody tr").AllTextContentsAsync();
        var aliases = (await registry.GetModelAsync(Scenario.Model))!.Aliases;
        Assert.Equal(aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Key + a.Value), today);
        var firstMove = (await registry.GetAliasHistoryAsync(Scenario.Model)).Min(m => m.At);
        await page.FillAsync("#as-of", firstMove.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await page.WaitForSelectorAsync("text=No alias pointed anywhere");
        Assert.Equal((await registry.GetAliasHistoryAsync(Scenario.Model)).Count, await page.Locator("table#alias-history tbody tr").CountAsync());
        Assert.Empty(problems);
    }

    [Fact]
    public async Task TheLineageGraph_ShowsDatasetRunVersionAliasAndDeployment_AsTheApiHasThem()
    {
        var (page, problems) = await OpenAsync("victor", MlOpsPolicies.Read);
        var graph = await ApiAsync("/models/adder/versions/1/lineage");
        await page.GotoAsync("/mlops/#/lineage/model/adder/1");
        await page.WaitForSelectorAsync("svg.lineage a");
        var nodes = await page.Locator("svg.lineage [data-node]").EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.getAttribute('data-node'))");
        Assert.Equal(graph["nodes"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()).Order(), nodes.Order());
        foreach (var kind in new[] { "dataset:", "run:", "model:", "alias:adder@production", "deployment:" })
        {
            Assert.Contains(nodes, n => n.StartsWith(kind, StringComparison.Ordinal));
        }

        Assert.Equal(graph["edges"]!.AsArray().Count, await page.Locator("svg.lineage path.edge").CountAsync());
        Assert.Equal(graph["edges"]!.AsArray().Count, await page.Locator("table#edges tbody tr").CountAsync());

        await page.ClickAsync("svg.lineage a[data-node^='dataset:']");
        await page.WaitForFunctionAsync("() => document.querySelector('h1').textContent.startsWith('Lineage of transactions dataset version 1')");
        Assert.Equal(3, await page.Locator("svg.lineage [data-node^='run:']").CountAsync());
        Assert.Empty(problems);
    }

    /// <summary>
    /// A page whose data is slow to come (the network delayed here: it cannot be made slow for real on demand) must not
    /// draw over the page the user went to meanwhile: its request is aborted and nothing of it is shown.
    /// </summary>
    [Fact]
    public async Task ASlowPage_NeverDrawsOverThePageOpenedAfterIt()
    {
        var (page, problems) = await OpenAsync("victor", MlOpsPolicies.Read);
        var lineageSettled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        page.RequestFinished += (_, request) => Settle(request, "finished");
        page.RequestFailed += (_, request) => Settle(request, "failed: " + request.Failure);
        const string Lineage = "**/mlops/api/models/adder/versions/1/lineage";
        await page.RouteAsync(Lineage, async route =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            try
            {
                await route.ContinueAsync();
            }
            catch (PlaywrightException)
            {
                // The page aborted the request while it waited: exactly what this test wants to see.
            }
        });

        await page.RunAndWaitForRequestAsync(() => page.GotoAsync("/mlops/#/lineage/model/adder/1"), Lineage);
        await page.GotoAsync("/mlops/#/models");
        await page.WaitForSelectorAsync("table#models tbody tr");
        Assert.StartsWith("failed: net::ERR_ABORTED", await lineageSettled.Task.WaitAsync(TimeSpan.FromSeconds(30)), StringComparison.Ordinal);
        // Give a late answer every chance to draw (it would, in the next task) before looking.
        await page.EvaluateAsync("() => new Promise(resolve => setTimeout(resolve, 200))");
        Assert.Equal("Models", await page.Locator("main h1").TextContentAsync());
        Assert.Equal(0, await page.Locator("svg.lineage").CountAsync());
        Assert.All(problems, p => Assert.StartsWith("failed: ", p, StringComparison.Ordinal));
        Assert.Single(problems);

        void Settle(IRequest request, string outcome)
        {
            if (request.Url.EndsWith("/versions/1/lineage", StringComparison.Ordinal))
            {
                lineageSettled.TrySetResult(outcome);
            }
        }
    }

    [Fact]
    public async Task TheProductionPage_ShowsRateLatencyShadowAgreement_AndEachFeaturesDriftAcrossWindows()
    {
        var (page, problems) = await OpenAsync("victor", MlOpsPolicies.Read);
        await page.GotoAsync("/mlops/#/production");
        await page.WaitForSelectorAsync("table#production tbody tr");
        Assert.Equal(new[] { "adder", "1", DashboardSite.Predictions.ToString(System.Globalization.CultureInfo.InvariantCulture), "0", "yes" },
            await page.Locator("table#production tbody tr td").AllTextContentsAsync());

        await page.GotoAsync("/mlops/#/production/adder");
        await page.WaitForSelectorAsync("section[aria-label='Drift over time'] polyline");
        Assert.Contains($"{DashboardSite.Predictions} predictions and 0 errors", await page.Locator("#serving").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("figure[data-chart='Latency (ms)'] polyline").CountAsync());
        Assert.Matches(@"^Shadow agreement: \d+ of \d+", await page.Locator("#shadow").TextContentAsync());

        var view = await ApiAsync("/production/adder");
        var windows = view["drift"]!.AsArray();
        Assert.Equal(4, windows.Count);

        // The monitor's own history, with each verdict's statistic and shares, not a copy kept by the web layer.
        Assert.All(windows, w => Assert.All(w!["features"]!.AsArray(), f => Assert.NotNull(f!["missingShare"])));
        var features = windows[0]!["features"]!.AsArray().Select(f => f!["feature"]!.GetValue<string>()).ToList();
        var charts = page.Locator("section[aria-label='Drift over time'] figure");
        Assert.Equal(features.Count, await charts.CountAsync());
        for (var i = 0; i < features.Count; i++)
        {
            var drifted = windows.Count(w => w!["features"]!.AsArray().Single(f => f!["feature"]!.GetValue<string>() == features[i])!["drifted"]!.GetValue<bool>());
            Assert.InRange(drifted, 2, 4);
            var chart = charts.Nth(i);
            Assert.Equal(drifted, await chart.Locator("circle.marker").CountAsync());
            Assert.Equal(1, await chart.Locator("line.threshold").CountAsync());
            Assert.Equal(4, await chart.Locator("polyline").EvaluateAsync<int>("l => l.getAttribute('points').trim().split(' ').length"));
        }

        // Estimated performance with its band, and the realised quality of the windows whose labels are in.
        var performance = view["performance"]!.AsArray();
        Assert.Equal(DashboardSite.PerformanceWindows, performance.Count);
        Assert.Equal(DashboardSite.RealisedWindows, performance.Count(w => w!["realised"] is not null));
        var metrics = page.Locator("section[aria-label='Performance over time'] figure");
        Assert.Equal(["Accuracy", "Precision", "Recall", "F1", "ROC AUC"], await metrics.Locator("figcaption").AllTextContentsAsync());
        for (var i = 0; i < 5; i++)
        {
            var lines = await metrics.Nth(i).Locator("polyline").EvaluateAllAsync<int[]>("ls => ls.map(l => l.getAttribute('points').trim().split(' ').length)");
            Assert.Equal([DashboardSite.PerformanceWindows, DashboardSite.PerformanceWindows, DashboardSite.PerformanceWindows, DashboardSite.RealisedWindows], lines);
        }

        Assert.Empty(problems);
    }

    /// <summary>axe-core (from npm; injected, so this page alone lets it past the Content-Security-Policy) on every page.</summary>
    [Fact]
    public async Task EveryPage_HasNoSeriousOrCriticalAccessibilityViolation_ByAxeCore()
    {
        var axe = Path.Combine(MlOps.Sdk.Storage.Conformance.Services.NpmTool.Install("axe-core", "4.14.1"), "node_modules", "axe-core", "axe.min.js");
        var (page, _) = await OpenAsync("victor", bypassSecurityPolicy: true, MlOpsPolicies.Read, MlOpsPolicies.Approve, MlOpsPolicies.Promote);
        var found = new List<string>();
        foreach (var (_, route, ready) in Pages)
        {
            await page.GotoAsync("/mlops/" + route);
            await page.WaitForSelectorAsync(ready);
            await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = axe });
            Assert.Equal("4.14.1", await page.EvaluateAsync<string>("() => axe.version"));
            var violations = await page.EvaluateAsync<string[]>(
                "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)");
            found.AddRange(violations.Select(v => route + " " + v));
        }

        Assert.Empty(found);
    }

    /// <summary>Each page renders on a laptop-sized screen; <c>MLOPS_UPDATE_SCREENSHOTS=1</c> writes them to docs/dashboard/.</summary>
    [Fact]
    public async Task EveryPage_RendersOnALaptopScreen_AsTheDocsShowIt()
    {
        var (page, problems) = await OpenAsync("victor", MlOpsPolicies.Read, MlOpsPolicies.Approve);
        await page.SetViewportSizeAsync(1366, 768);
        var update = Environment.GetEnvironmentVariable("MLOPS_UPDATE_SCREENSHOTS") == "1";
        foreach (var (name, route, ready) in Pages)
        {
            await page.GotoAsync("/mlops/" + route);
            await page.WaitForSelectorAsync(ready);
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"{name}: {overflow} px wider than a 1366 px screen");
            var png = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = false });
            Assert.True(png.Length > 5_000 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G', $"{name}: not a screenshot");
            if (update)
            {
                var directory = Path.Combine(Repository(), "docs", "dashboard");
                Directory.CreateDirectory(directory);
                await File.WriteAllBytesAsync(Path.Combine(directory, name + ".png"), png);
            }
        }

        Assert.Empty(problems);
    }

    private static string Repository([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    /// <summary>
    /// Alice asks for 'production' to point at a new version; a viewer sees no button and is refused by the endpoint;
    /// alice's own approval is refused; bob's is accepted; alice's click on "Move" then moves the alias.
    /// </summary>
    [Fact]
    public async Task AnApproval_ClickedThroughByTwoPeople_MovesTheAlias_TheRequestersOwnApprovalIsRefused_AndAViewerHasNoButton()
    {
        var registry = _server.Services.GetRequiredService<ModelRegistry>();
        var version = await registry.RegisterModelAsync(Scenario.Model, new MemoryStream(OnnxModels.AddConstant(2f, 4)));
        var (alice, aliceProblems) = await OpenAsync("alice", MlOpsPolicies.Read, MlOpsPolicies.Promote, MlOpsPolicies.Approve);
        await alice.GotoAsync("/mlops/#/models/adder");
        await alice.SelectOptionAsync("#promote-version", version.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await alice.FillAsync("#promote-reason", "better");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Ask for approval" }).ClickAsync();
        var requests = await registry.ListApprovalRequestsAsync(Scenario.Model, "production");
        for (var attempt = 0; attempt < 100 && !requests.Any(r => r.Version == version.Number); attempt++)
        {
            await Task.Delay(50);
            requests = await registry.ListApprovalRequestsAsync(Scenario.Model, "production");
        }

        var requestId = requests.Single(r => r.Version == version.Number).Id;
        var row = $"tr[data-request='{requestId}']";
        var approve = $"{row} button:text('Approve')";
        var (viewer, viewerProblems) = await OpenAsync("victor", MlOpsPolicies.Read);
        await viewer.GotoAsync("/mlops/#/models/adder");
        await viewer.WaitForSelectorAsync(row);
        Assert.Equal(0, await viewer.Locator($"{row} button").CountAsync());
        Assert.Empty(viewerProblems);
        var viewerApproves = await viewer.EvaluateAsync<int>($"async () => (await fetch('/mlops/api/approvals/{requestId}/approve', {{ method: 'POST', headers: {{ 'Content-Type': 'application/json' }}, body: '{{}}' }})).status");
        Assert.Equal(403, viewerApproves);

        await alice.WaitForSelectorAsync(approve);
        await alice.ClickAsync(approve);
        var refusal = alice.GetByRole(AriaRole.Alert);
        await refusal.WaitForAsync();
        Assert.Contains("another person", await refusal.TextContentAsync() ?? "", StringComparison.Ordinal);
        Assert.Equal(ApprovalState.Pending, (await registry.GetApprovalRequestAsync(requestId))!.State);

        var (bob, bobProblems) = await OpenAsync("bob", MlOpsPolicies.Read, MlOpsPolicies.Approve);
        await bob.GotoAsync("/mlops/#/models/adder");
        await bob.ClickAsync(approve);
        await bob.WaitForSelectorAsync($"{row} >> text=bob: approved");
        Assert.Equal(0, await bob.Locator($"{row} button").CountAsync());
        Assert.Empty(bobProblems);
        var decided = await registry.GetApprovalRequestAsync(requestId);
        Assert.Equal((ApprovalState.Approved, "bob"), (decided!.State, decided.Decisions.Single().Approver));

        await alice.GotoAsync("/mlops/#/models");
        await alice.WaitForSelectorAsync("table#models tbody tr");
        await alice.GotoAsync("/mlops/#/models/adder");
        await alice.ClickAsync($"{row} button:text('Move production to {version.Number}')");
        await alice.WaitForSelectorAsync($"table#aliases tbody tr:has-text('production') >> text='{version.Number}'");
        Assert.Equal(version.Number, (await registry.ResolveAsync("adder@production")).Number);
        Assert.Equal("alice", (await registry.GetAliasHistoryAsync(Scenario.Model, "production"))[^1].Actor);
        // Her own approval's 403 is the one expected failure (Chromium logs it to the console, too).
        Assert.Equal(2, aliceProblems.RemoveAll(p => p.Contains("403", StringComparison.Ordinal)));
        Assert.Empty(aliceProblems);
    }
}
