using System.Globalization;
using System.Text;
using MlOps.Sdk.Monitoring.Quality;

using static MlOps.Sdk.Monitoring.HtmlPage;

namespace MlOps.Sdk.Monitoring;

/// <summary>
/// The time view of a <see cref="DriftHistory"/>: one line chart per feature (score per window, threshold line, a marker
/// on each drifted window) and one per performance metric (estimate, band, realised values), as inline SVG with
/// labelled axes. No scripts, no external resources.
/// </summary>
internal static class HtmlTimeView
{
    private const int Width = 720;
    private const int Height = 220;
    private const int Left = 72;
    private const int Right = 16;
    private const int Top = 14;
    private const int Bottom = 46;

    private const string Style = """
        <style>
        body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1500px} figure{margin:0 0 1.5rem;display:inline-block;vertical-align:top}
        figcaption{font-weight:600;margin-bottom:.25rem} .axis{stroke:#555;stroke-width:1} .grid{stroke:#e4e4e4;stroke-width:1}
        .tick{font-size:11px;fill:#444} .axis-label{font-size:12px;fill:#222} .score{fill:none;stroke:#2f6db5;stroke-width:2}
        .threshold{stroke:#b00020;stroke-width:1.5;stroke-dasharray:6 4} .marker{fill:#b00020;stroke:#fff;stroke-width:1}
        .estimate{fill:none;stroke:#2f6db5;stroke-width:2} .band{fill:#2f6db5;fill-opacity:.15;stroke:none} .realised{fill:#e07b39;stroke:#fff;stroke-width:1}
        .legend span{margin-right:1.2rem} .muted{color:#666}
        </style>
        """;

    public static string Render(IReadOnlyList<DriftWindow> windows, IReadOnlyList<PerformanceWindow> performance, string title)
    {
        var html = HtmlPage.Open(title, Style);
        if (windows.Count == 0)
        {
            html.Append("<p class=\"muted\">No window has closed yet.</p>\n");
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <p>{windows.Count} windows, {Time(windows[0].ClosedAt)} to {Time(windows[^1].ClosedAt)} (UTC); dataset drift in {windows.Count(w => w.DatasetDrifted)}.</p>
                <p class="legend"><span><svg width="24" height="10"><line class="score" x1="0" y1="5" x2="24" y2="5"/></svg> score</span>
                <span><svg width="24" height="10"><line class="threshold" x1="0" y1="5" x2="24" y2="5"/></svg> threshold</span>
                <span><svg width="12" height="12"><circle class="marker" cx="6" cy="6" r="5"/></svg> drifted window</span></p>
                <h2>Drift per feature</h2>

                """);
            var times = windows.Select(w => w.ClosedAt).ToList();
            foreach (var feature in windows.SelectMany(w => w.Features.Select(f => f.Feature)).Distinct(StringComparer.Ordinal))
            {
                html.Append(FeatureChart(feature, windows, times));
            }
        }

        if (performance.Count > 0)
        {
            html.Append("""
                <h2>Estimated and realised performance</h2>
                <p class="legend"><span><svg width="24" height="10"><line class="estimate" x1="0" y1="5" x2="24" y2="5"/></svg> estimated</span>
                <span><svg width="24" height="10"><rect class="band" width="24" height="10"/></svg> sampling-error band</span>
                <span><svg width="12" height="12"><circle class="realised" cx="6" cy="6" r="5"/></svg> realised (labels in)</span></p>

                """);
            var times = performance.Select(p => p.ClosedAt).ToList();
            foreach (var (metric, select) in Metrics)
            {
                html.Append(PerformanceChart(metric, performance, times, select));
            }
        }

        return html.Append("</body></html>\n").ToString();
    }

    private static readonly (string Name, Func<PerformanceEstimate, EstimatedMetric> Select)[] Metrics =
    [
        ("accuracy", e => e.Accuracy), ("precision", e => e.Precision), ("recall", e => e.Recall), ("f1", e => e.F1), ("roc_auc", e => e.RocAuc),
    ];

    private static string FeatureChart(string feature, IReadOnlyList<DriftWindow> windows, List<DateTimeOffset> times)
    {
        var verdicts = windows.Select(w => w.Features.FirstOrDefault(f => f.Feature == feature)).ToList();
        var last = verdicts.Last(v => v is not null)!;
        var quantity = last.IsPValue ? "p-value" : "distance";
        var top = last.IsPValue ? 1 : Math.Max(last.Threshold * 1.5, verdicts.Where(v => v is not null && double.IsFinite(v.Score)).Select(v => v!.Score).DefaultIfEmpty(0).Max() * 1.1);
        var chart = new Chart(times, top);
        var svg = chart.Open("drift", feature, $"{feature} ({last.Test}, {quantity})", quantity);
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"threshold\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{chart.Y(last.Threshold):F1}\" y2=\"{chart.Y(last.Threshold):F1}\"><title>threshold {Number(last.Threshold)}</title></line>");
        var points = verdicts.Select((v, i) => (v, i)).Where(p => p.v is not null && double.IsFinite(p.v.Score)).ToList();
        svg.Append("<polyline class=\"score\" points=\"").AppendJoin(' ', points.Select(p => chart.Point(p.i, p.v!.Score))).Append("\"/>");
        foreach (var (v, i) in points.Where(p => p.v!.Drifted))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"marker\" cx=\"{chart.X(i):F1}\" cy=\"{chart.Y(v!.Score):F1}\" r=\"5\"><title>{Time(times[i])}: {Number(v.Score)} (drift)</title></circle>");
        }

        return chart.Close(svg);
    }

    private static string PerformanceChart(string metric, IReadOnlyList<PerformanceWindow> performance, List<DateTimeOffset> times, Func<PerformanceEstimate, EstimatedMetric> select)
    {
        var chart = new Chart(times, 1);
        var svg = chart.Open("performance", metric, metric, metric);
        var estimates = performance.Select((p, i) => (Metric: select(p.Estimate), i)).Where(e => double.IsFinite(e.Metric.Value)).ToList();
        var band = estimates.Select(e => chart.Point(e.i, Math.Min(1, e.Metric.Upper))).Concat(estimates.AsEnumerable().Reverse().Select(e => chart.Point(e.i, Math.Max(0, e.Metric.Lower))));
        svg.Append("<polygon class=\"band\" points=\"").AppendJoin(' ', band).Append("\"/>");
        svg.Append("<polyline class=\"estimate\" points=\"").AppendJoin(' ', estimates.Select(e => chart.Point(e.i, e.Metric.Value))).Append("\"/>");
        for (var i = 0; i < performance.Count; i++)
        {
            if (performance[i].Realised is { } realised && realised.TryGetValue(metric, out var value) && double.IsFinite(value))
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"realised\" cx=\"{chart.X(i):F1}\" cy=\"{chart.Y(value):F1}\" r=\"4\"><title>{Time(times[i])}: realised {Number(value)}, estimated {Number(select(performance[i].Estimate).Value)}</title></circle>");
            }
        }

        return chart.Close(svg);
    }

    /// <summary>A chart's frame: the windows spaced evenly left to right (labelled with their times), the quantity bottom to top.</summary>
    private sealed class Chart(List<DateTimeOffset> times, double top)
    {
        public double X(int i) => times.Count == 1 ? (Left + Width - Right) / 2.0 : Left + ((double)i / (times.Count - 1) * (Width - Left - Right));

        public double Y(double value) => Height - Bottom - (Math.Clamp(value / top, 0, 1) * (Height - Top - Bottom));

        public string Point(int i, double value) => string.Create(CultureInfo.InvariantCulture, $"{X(i):F1},{Y(value):F1}");

        public StringBuilder Open(string kind, string name, string caption, string quantity)
        {
            var svg = new StringBuilder();
            svg.Append(CultureInfo.InvariantCulture, $"<figure><figcaption>{Encode(caption)}</figcaption><svg class=\"timeline\" data-kind=\"{kind}\" data-name=\"{Encode(name)}\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Encode(caption)} across windows\">");
            for (var t = 0; t <= 4; t++)
            {
                var value = top * t / 4;
                svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Y(value):F1}\" y2=\"{Y(value):F1}\"/><text class=\"tick\" x=\"{Left - 6}\" y=\"{Y(value) + 4:F1}\" text-anchor=\"end\">{Number(value)}</text>");
            }

            var ticks = Math.Min(times.Count, 6);
            foreach (var i in Enumerable.Range(0, ticks).Select(t => ticks == 1 ? 0 : (int)Math.Round((double)t * (times.Count - 1) / (ticks - 1))).Distinct())
            {
                // The last label ends at its tick, so that it stays inside the chart.
                var anchor = times.Count > 1 && i == times.Count - 1 ? "end" : "middle";
                svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{X(i):F1}\" y=\"{Height - Bottom + 16}\" text-anchor=\"{anchor}\">{times[i].UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}</text>");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Height - Bottom}\"/><line class=\"axis\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis-label\" data-axis=\"x\" x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">window closed (UTC, {times[0].UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis-label\" data-axis=\"y\" x=\"14\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {(Top + Height - Bottom) / 2})\">{Encode(quantity)}</text>");
            return svg;
        }

        public string Close(StringBuilder svg) => svg.Append("</svg></figure>\n").ToString();
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

}
