using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Tests;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using Xunit;

namespace MlOps.Sdk.AspNetCore.Tests;

/// <summary>
/// The dashboard in real headless Chromium (Debian's, driven by Playwright for .NET; no browser download) over a real
/// Kestrel server and store: no console error and no failed request, the runs table equal to what search returns, a
/// chart of a 1,000,000-point series drawn from at most 2,000 points, and approvals as each person may make them.
/// </summary>
public sealed class DashboardBrowserTests(DashboardBrowserTests.Site site) : IClassFixture<DashboardBrowserTests.Site>
{
    private const string Filter = "metrics.auc > 0.9 AND params.model = 'lbfgs'";
    private readonly ApiServer _server = site.Server;
    private readonly IBrowser _browser = site.Browser;
    private readonly string _longRun = site.LongRun;

    /// <summary>
    /// One server, store and browser for the class: the runs (one of them a 1,000,000-point series) are logged once,
    /// not once per test.
    /// </summary>
    public sealed class Site : IAsyncLifetime
    {
        private IPlaywright _playwright = null!;

        internal ApiServer Server { get; private set; } = null!;

        public IBrowser Browser { get; private set; } = null!;

        public string LongRun { get; private set; } = "";

        public async Task InitializeAsync()
        {
            string[] browsers = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
            DebianPackage.EnsureInstalled("chromium", () => browsers.Any(File.Exists));
            Server = await Scenario.StartAsync(
                registry: r => r.RequireApprovalFor("production"),
                map: app =>
                {
                    app.MapMlOpsManagement();
                    app.MapMlOpsDashboard();
                });
            var tracker = Server.Services.GetRequiredService<ExperimentTracker>();
            foreach (var (model, auc) in new[] { ("lbfgs", 0.95), ("lbfgs", 0.93), ("sdca", 0.97), ("lbfgs", 0.80) })
            {
                await using var run = await tracker.StartRunAsync("fraud", $"{model}-{auc}");
                run.LogParam("model", model);
                run.LogMetric("auc", auc);
            }

            await using (var run = await tracker.StartRunAsync("fraud", "long"))
            {
                LongRun = run.Id;
                for (var step = 0; step < 1_000_000; step++)
                {
                    run.LogMetric("loss", 1.0 / (1 + step * 0.001) + (step % 1000 == 0 ? 0.5 : 0), step);
                }
            }

            await tracker.FlushAsync();
            _playwright = await Playwright.CreateAsync();
            Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = browsers.First(File.Exists),
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
        }

        public async Task DisposeAsync()
        {
            await Browser.DisposeAsync();
            _playwright.Dispose();
            await Server.DisposeAsync();
        }
    }

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

    [Fact]
    public async Task TheRunsTable_FiltersAsSearchDoes_AndARunsChartOfAMillionPoints_IsDrawnFromAtMost2000()
    {
        var (page, problems) = await OpenAsync("victor", MlOpsPolicies.Read);
        await page.GotoAsync("/mlops/#/runs");
        await page.WaitForSelectorAsync("table#runs tbody tr");
        Assert.Equal(5, await page.Locator("table#runs tbody tr").CountAsync());

        await page.GetByLabel("Filter runs").FillAsync(Filter);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.WaitForFunctionAsync("() => location.hash.includes('filter') && document.querySelectorAll('table#runs tbody tr').length < 5");
        var shown = await page.Locator("table#runs tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.run)");
        var searched = await _server.Services.GetRequiredService<ExperimentTracker>().SearchRunsAsync(new RunSearchQuery { Filter = Filter });
        Assert.Equal(searched.Runs.Select(r => r.Info.RunId).Order(), shown.Order());
        Assert.Equal(2, shown.Length);

        await page.GotoAsync($"/mlops/#/runs/{_longRun}");
        var line = page.Locator("figure[data-metric='loss'] polyline");
        await line.WaitForAsync();
        var points = await line.EvaluateAsync<int>("l => l.getAttribute('points').trim().split(' ').length");
        Assert.InRange(points, 100, 2_000);
        Assert.Contains("1000000 points", await page.Locator("figure[data-metric='loss'] svg").GetAttributeAsync("aria-label") ?? "", StringComparison.Ordinal);

        await page.GotoAsync("/mlops/#/models");
        await page.WaitForSelectorAsync("table#models tbody tr");
        Assert.Empty(problems);
    }

    /// <summary>axe-core (from npm; injected, so this page alone lets it past the Content-Security-Policy) on every page.</summary>
    [Fact]
    public async Task EveryPage_HasNoSeriousOrCriticalAccessibilityViolation_ByAxeCore()
    {
        var axe = Path.Combine(MlOps.Sdk.Storage.Conformance.Services.NpmTool.Install("axe-core", "4.14.1"), "node_modules", "axe-core", "axe.min.js");
        var (page, _) = await OpenAsync("victor", bypassSecurityPolicy: true, MlOpsPolicies.Read, MlOpsPolicies.Approve);
        var found = new List<string>();
        foreach (var (route, ready) in new[] { ("#/runs", "table#runs tbody tr"), ($"#/runs/{_longRun}", "figure[data-metric='loss'] polyline"), ("#/models", "table#models tbody tr"), ("#/models/adder", "table#versions tbody tr") })
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
        var pages = new (string Name, string Route, string Ready)[]
        {
            ("runs", "#/runs", "table#runs tbody tr"),
            ("run", $"#/runs/{_longRun}", "figure[data-metric='loss'] polyline"),
            ("models", "#/models", "table#models tbody tr"),
            ("model", "#/models/adder", "table#versions tbody tr"),
        };
        var update = Environment.GetEnvironmentVariable("MLOPS_UPDATE_SCREENSHOTS") == "1";
        foreach (var (name, route, ready) in pages)
        {
            await page.GotoAsync("/mlops/" + route);
            await page.WaitForSelectorAsync(ready);
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

    [Fact]
    public async Task AnApproval_ClickedByAnotherPerson_IsApproved_TheRequestersOwnClickIsRefused_AndAViewerHasNoButton()
    {
        var registry = _server.Services.GetRequiredService<ModelRegistry>();
        await registry.RegisterModelAsync(Scenario.Model, new MemoryStream(OnnxModels.AddConstant(2f, 4)));
        long requestId;
        using (var alice = _server.Client("alice", MlOpsPolicies.Promote))
        {
            var asked = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(alice, "/mlops/api/models/adder/aliases/production/approvals", new { version = 2 });
            Assert.True(asked.IsSuccessStatusCode, $"{(int)asked.StatusCode} {await asked.Content.ReadAsStringAsync()}");
            requestId = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.Nodes.JsonNode>(asked.Content))!["id"]!.GetValue<long>();
        }

        var approve = $"tr[data-request='{requestId}'] button";
        var (viewer, viewerProblems) = await OpenAsync("victor", MlOpsPolicies.Read);
        await viewer.GotoAsync("/mlops/#/models/adder");
        await viewer.WaitForSelectorAsync($"tr[data-request='{requestId}']");
        Assert.Equal(0, await viewer.Locator(approve).CountAsync());
        Assert.Empty(viewerProblems);
        var viewerApproves = await viewer.EvaluateAsync<int>($"async () => (await fetch('/mlops/api/approvals/{requestId}/approve', {{ method: 'POST', headers: {{ 'Content-Type': 'application/json' }}, body: '{{}}' }})).status");
        Assert.Equal(403, viewerApproves);

        var (own, _) = await OpenAsync("alice", MlOpsPolicies.Read, MlOpsPolicies.Approve);
        await own.GotoAsync("/mlops/#/models/adder");
        await own.ClickAsync(approve);
        var refusal = own.GetByRole(AriaRole.Alert);
        await refusal.WaitForAsync();
        Assert.Contains("another person", await refusal.TextContentAsync() ?? "", StringComparison.Ordinal);
        Assert.Equal(ApprovalState.Pending, (await registry.GetApprovalRequestAsync(requestId))!.State);

        var (bob, bobProblems) = await OpenAsync("bob", MlOpsPolicies.Read, MlOpsPolicies.Approve);
        await bob.GotoAsync("/mlops/#/models/adder");
        await bob.ClickAsync(approve);
        await bob.WaitForSelectorAsync($"tr[data-request='{requestId}'] >> text=bob: approved");
        Assert.Empty(bobProblems);
        var decided = await registry.GetApprovalRequestAsync(requestId);
        Assert.Equal((ApprovalState.Approved, "bob"), (decided!.State, decided.Decisions.Single().Approver));
    }
}
