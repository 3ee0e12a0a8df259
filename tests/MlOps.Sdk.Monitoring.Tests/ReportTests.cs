using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace MlOps.Sdk.Monitoring.Tests;

public sealed partial class ReportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mlops-report-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Json_CarriesEveryVerdict_IncludingUndefinedScores()
    {
        var report = Report();
        using var stream = new MemoryStream();

        await report.SaveJsonAsync(stream);

        using var json = JsonDocument.Parse(stream.ToArray());
        var features = json.RootElement.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(report.Features.Select(f => f.Feature), features.Select(f => f.GetProperty("feature").GetString()));
        Assert.Equal("NaN", features.Single(f => f.GetProperty("feature").GetString() == "Optional").GetProperty("score").GetString());
        Assert.Equal(report.DatasetDrifted, json.RootElement.GetProperty("datasetDrifted").GetBoolean());
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task Html_RendersEveryFeaturesChart_InHeadlessChromium()
    {
        var report = Report();
        var path = Path.Combine(_directory, "drift-report.html");
        await report.SaveHtmlAsync(path);
        var html = await File.ReadAllTextAsync(path);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http", html, StringComparison.OrdinalIgnoreCase);

        // A copy with a probe that measures each chart as Chromium laid it out; the report itself stays script-free.
        var probe = Path.Combine(_directory, "probe.html");
        await File.WriteAllTextAsync(probe, html.Replace("</body>", """
            <script>document.body.setAttribute('data-rendered', JSON.stringify([...document.querySelectorAll('svg.chart')].map(s => {
              const r = s.getBoundingClientRect();
              return { feature: s.dataset.feature, width: r.width, height: r.height,
                       bars: [...s.querySelectorAll('rect')].filter(b => b.getBoundingClientRect().height > 0).length };
            })));</script></body>
            """, StringComparison.Ordinal));

        var dom = await HeadlessChromium.DumpDomAsync(probe);

        var rendered = JsonDocument.Parse(WebUtility.HtmlDecode(RenderedAttribute().Match(dom).Groups[1].Value)).RootElement.EnumerateArray().ToList();
        var charted = report.Features.Where(f => f.Distributions is not null).Select(f => f.Feature).ToList();
        Assert.Equal(charted, rendered.Select(r => r.GetProperty("feature").GetString()));
        Assert.All(rendered, r =>
        {
            Assert.Equal(320, r.GetProperty("width").GetDouble());
            Assert.Equal(90, r.GetProperty("height").GetDouble());
            Assert.True(r.GetProperty("bars").GetInt32() > 0, $"{r.GetProperty("feature")} drew no bar");
        });
        Assert.Contains(report.Features, f => f.Distributions is null);
    }

    private static DriftReport Report()
    {
        var random = new Random(21);
        var reference = ReferenceProfile.Build(Enumerable.Range(0, 600).Select(_ => Row(random, 0)));
        var monitor = new DriftMonitor<MonitorTests.Row>(reference);
        return monitor.Evaluate(Enumerable.Range(0, 400).Select(_ => Row(random, 0.8) with { Optional = null }));
    }

    private static MonitorTests.Row Row(Random random, double shift) => new()
    {
        Amount = random.NextDouble() + shift,
        V = [(float)random.NextDouble(), (float)(random.NextDouble() + shift), (float)random.NextDouble()],
        Optional = random.NextDouble(),
        Country = random.NextDouble() < 0.5 ? "FR" : random.NextDouble() < 0.5 ? "DE" : "<script>x</script>",
        Flag = random.NextDouble() < 0.3,
    };

    [GeneratedRegex("data-rendered=\"([^\"]*)\"")]
    private static partial Regex RenderedAttribute();
}
