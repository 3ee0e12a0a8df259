using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using MlOps.Sdk.Monitoring.Quality;
using Xunit;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>
/// The time view of a drift history, rendered by Debian's headless Chromium: every chart laid out at its size, both
/// axes labelled, one marker per drifted window, estimated performance with its band and the realised values;
/// <c>MLOPS_UPDATE_SCREENSHOTS=1</c> writes the screenshot in docs/images.
/// </summary>
public sealed partial class TimeViewReportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mlops-timeview-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Twelve windows ten minutes apart, the amount drifting further from the fifth on; performance estimated for each, realised for the first eight.</summary>
    private static DriftHistory History()
    {
        var random = new Random(41);
        var reference = ReferenceProfile.Build(Enumerable.Range(0, 600).Select(_ => Row(random, 0)));
        var monitor = new DriftMonitor<MonitorTests.Row>(reference);
        var estimator = PerformanceEstimator.Fit([.. Enumerable.Range(0, 2_000).Select(i => (i + 0.5) / 2_000)], [.. Enumerable.Range(0, 2_000).Select(i => random.NextDouble() < (i + 0.5) / 2_000)]);
        var history = new DriftHistory();
        var start = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
        for (var w = 0; w < 12; w++)
        {
            var at = start.AddMinutes(10 * w);
            history.Add(monitor.Evaluate(Enumerable.Range(0, 300).Select(_ => Row(random, w < 4 ? 0 : 0.08 * (w - 3)))), at);
            double[] scores = [.. Enumerable.Range(0, 500).Select(_ => Math.Clamp(random.NextDouble() + (w < 6 ? 0 : 0.1), 0, 1))];
            bool[] labels = [.. scores.Select(s => random.NextDouble() < s)];
            var realised = w < 8 ? new QualityReport(500, new Dictionary<string, double>
            {
                ["accuracy"] = QualityMetrics.Accuracy(labels, [.. scores.Select(s => s >= 0.5)]),
                ["roc_auc"] = QualityMetrics.RocAuc(labels, scores),
            }, 0) : null;
            history.Add(estimator.Estimate(scores), at, realised);
        }

        return history;
    }

    private static MonitorTests.Row Row(Random random, double shift) => new()
    {
        Amount = random.NextDouble() + shift,
        V = [(float)random.NextDouble(), (float)(random.NextDouble() + (shift / 2)), (float)random.NextDouble()],
        Optional = random.NextDouble() < 0.1 ? null : random.NextDouble(),
        Country = random.NextDouble() < 0.5 + shift ? "FR" : "DE",
        Flag = random.NextDouble() < 0.3,
    };

    [Fact]
    [Trait("Category", "Browser")]
    public async Task TheTimeView_LaysOutEveryChart_WithLabelledAxes_AndOneMarkerPerDriftedWindow()
    {
        var history = History();
        var path = Path.Combine(_directory, "time-view.html");
        await history.SaveHtmlAsync(path, "fraud: drift over time");
        var html = await File.ReadAllTextAsync(path);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http", html, StringComparison.OrdinalIgnoreCase);

        // A copy with a probe that measures each chart as Chromium laid it out; the report itself stays script-free.
        var probe = Path.Combine(_directory, "probe.html");
        await File.WriteAllTextAsync(probe, html.Replace("</body>", """
            <script>document.body.setAttribute('data-rendered', JSON.stringify([...document.querySelectorAll('svg.timeline')].map(s => {
              const r = s.getBoundingClientRect();
              const label = axis => { const t = s.querySelector(`text.axis-label[data-axis="${axis}"]`); const b = t.getBoundingClientRect(); return b.width > 0 && b.height > 0 ? t.textContent : ''; };
              return { kind: s.dataset.kind, name: s.dataset.name, width: r.width, height: r.height, x: label('x'), y: label('y'),
                       markers: s.querySelectorAll('circle.marker').length, realised: s.querySelectorAll('circle.realised').length,
                       line: (s.querySelector('polyline')?.getAttribute('points') || '').trim().split(' ').filter(Boolean).length,
                       threshold: s.querySelectorAll('line.threshold').length, band: s.querySelectorAll('polygon.band').length };
            })));</script></body>
            """, StringComparison.Ordinal));
        var dom = await HeadlessChromium.DumpDomAsync(probe);

        var charts = JsonDocument.Parse(WebUtility.HtmlDecode(RenderedAttribute().Match(dom).Groups[1].Value)).RootElement.EnumerateArray().ToList();
        var windows = history.Windows;
        var features = windows[0].Features.Select(f => f.Feature).ToList();
        Assert.Equal(features, charts.Where(c => c.GetProperty("kind").GetString() == "drift").Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(["accuracy", "precision", "recall", "f1", "roc_auc"], charts.Where(c => c.GetProperty("kind").GetString() == "performance").Select(c => c.GetProperty("name").GetString()!));
        Assert.All(charts, c =>
        {
            Assert.Equal((720.0, 220.0), (c.GetProperty("width").GetDouble(), c.GetProperty("height").GetDouble()));
            Assert.StartsWith("window closed (UTC", c.GetProperty("x").GetString(), StringComparison.Ordinal);
            Assert.NotEqual(string.Empty, c.GetProperty("y").GetString());
        });
        foreach (var chart in charts.Where(c => c.GetProperty("kind").GetString() == "drift"))
        {
            var name = chart.GetProperty("name").GetString();
            var verdicts = windows.Select(w => w.Features.Single(f => f.Feature == name)).ToList();
            Assert.Equal(verdicts.Count(v => v.Drifted), chart.GetProperty("markers").GetInt32());
            Assert.Equal(verdicts.Count(v => double.IsFinite(v.Score)), chart.GetProperty("line").GetInt32());
            Assert.Equal(1, chart.GetProperty("threshold").GetInt32());
            Assert.Equal(verdicts[^1].IsPValue ? "p-value" : "distance", chart.GetProperty("y").GetString());
        }

        Assert.Contains(charts, c => c.GetProperty("markers").GetInt32() > 0);
        Assert.Contains(charts, c => c.GetProperty("kind").GetString() == "drift" && c.GetProperty("markers").GetInt32() == 0);
        foreach (var chart in charts.Where(c => c.GetProperty("kind").GetString() == "performance"))
        {
            var expected = chart.GetProperty("name").GetString() is "accuracy" or "roc_auc" ? 8 : 0;
            Assert.Equal((expected, 12, 1), (chart.GetProperty("realised").GetInt32(), chart.GetProperty("line").GetInt32(), chart.GetProperty("band").GetInt32()));
        }

        var screenshot = Path.Combine(_directory, "time-view.png");
        await HeadlessChromium.RunAsync($"--screenshot={screenshot}", "--window-size=1540,2300", "--hide-scrollbars", new Uri(path).AbsoluteUri);
        var png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 10_000 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G', "not a screenshot");
        if (Environment.GetEnvironmentVariable("MLOPS_UPDATE_SCREENSHOTS") == "1")
        {
            var images = Path.Combine(Repository(), "docs", "images");
            Directory.CreateDirectory(images);
            File.Copy(screenshot, Path.Combine(images, "drift-time-view.png"), overwrite: true);
        }
    }

    [Fact]
    public async Task AnEmptyHistory_SaysSo_AndTheHistoryIsBounded()
    {
        var path = Path.Combine(_directory, "empty.html");
        await new DriftHistory().SaveHtmlAsync(path);
        Assert.Contains("No window has closed yet.", await File.ReadAllTextAsync(path), StringComparison.Ordinal);

        var history = new DriftHistory(capacity: 3);
        var random = new Random(3);
        var monitor = new DriftMonitor<MonitorTests.Row>(ReferenceProfile.Build(Enumerable.Range(0, 100).Select(_ => Row(random, 0))));
        var report = monitor.Evaluate(Enumerable.Range(0, 50).Select(_ => Row(random, 0)));
        for (var i = 0; i < 5; i++)
        {
            history.Add(report, DateTimeOffset.UnixEpoch.AddMinutes(i));
        }

        Assert.Equal([2, 3, 4], history.Windows.Select(w => (int)(w.ClosedAt - DateTimeOffset.UnixEpoch).TotalMinutes));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DriftHistory(0));
    }

    private static string Repository([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    [GeneratedRegex("data-rendered=\"([^\"]*)\"")]
    private static partial Regex RenderedAttribute();
}
