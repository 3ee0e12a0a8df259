using System.Globalization;
using System.Text;

using static MlOps.Sdk.Monitoring.HtmlPage;

namespace MlOps.Sdk.Monitoring;

/// <summary>
/// Writes a drift report as one self-contained HTML page: a verdict table with a chart per feature, reference and
/// window distributions drawn as inline SVG. No scripts, no external resources.
/// </summary>
internal static class HtmlDriftReport
{
    private const int ChartWidth = 320;
    private const int ChartHeight = 90;

    private const string Style = """
        <style>
        body{font-family:system-ui,sans-serif;margin:2rem;color:#222} table{border-collapse:collapse}
        th,td{border-bottom:1px solid #ddd;padding:.35rem .6rem;text-align:left;vertical-align:middle}
        tr.drift td.verdict{color:#b00020;font-weight:600} tr.ok td.verdict{color:#1b7f3b}
        .reference{fill:#7a8fa6} .current{fill:#e07b39} .summary{font-size:1.1rem}
        </style>
        """;

    public static string Render(DriftReport report, string title)
    {
        var html = HtmlPage.Open(title, Style);
        html.Append(CultureInfo.InvariantCulture, $"""
            <p class="summary">{report.Rows:N0} rows · {report.DriftedFeatures} of {report.Features.Count} features drifted ({report.DriftedShare:P0}) ·
            dataset drift: <strong>{(report.DatasetDrifted ? "yes" : "no")}</strong> (threshold {report.DatasetDriftShare:P0})</p>
            <p><svg width="12" height="12"><rect class="reference" width="12" height="12"/></svg> reference
            <svg width="12" height="12"><rect class="current" width="12" height="12"/></svg> current window</p>
            <table><thead><tr><th>Feature</th><th>Kind</th><th>Test</th><th>Score</th><th>Threshold</th><th>Verdict</th>
            <th>Values</th><th>Missing</th><th>Non-finite</th><th>Unseen</th><th>Distributions</th></tr></thead><tbody>

            """);
        foreach (var feature in report.Features)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr class="{(feature.Drifted ? "drift" : "ok")}"><td>{Encode(feature.Feature)}</td><td>{feature.Kind}</td><td>{feature.Test}</td>
                <td>{Number(feature.Score)}</td><td>{Number(feature.Threshold)}</td><td class="verdict">{(feature.Test == "none" ? "no data" : feature.Drifted ? "drift" : "no drift")}</td>
                <td>{feature.Values}</td><td>{feature.Missing}</td><td>{feature.NonFinite}</td><td>{feature.UnseenCategories}</td><td>{Chart(feature)}</td></tr>

                """);
        }

        html.Append("</tbody></table></body></html>\n");
        return html.ToString();
    }

    private static string Chart(FeatureDrift feature)
    {
        if (feature.Distributions is not { Reference.Count: > 0 } d)
        {
            return string.Empty;
        }

        var labels = d.Labels;
        var max = Math.Max(d.Reference.DefaultIfEmpty(0).Max(), d.Current.DefaultIfEmpty(0).Max());
        var slot = (double)ChartWidth / labels.Count;
        var bar = Math.Max(1, (slot - 2) / 2);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" data-feature=\"{Encode(feature.Feature)}\" width=\"{ChartWidth}\" height=\"{ChartHeight}\" viewBox=\"0 0 {ChartWidth} {ChartHeight}\" role=\"img\" aria-label=\"{Encode(feature.Feature)} distributions\">");
        for (var i = 0; i < labels.Count; i++)
        {
            Bar(svg, "reference", i * slot, bar, d.Reference[i], max, labels[i]);
            Bar(svg, "current", (i * slot) + bar, bar, d.Current[i], max, labels[i]);
        }

        return svg.Append("</svg>").ToString();
    }

    private static void Bar(StringBuilder svg, string side, double x, double width, double share, double max, string label)
    {
        var height = max <= 0 ? 0 : Math.Max(share > 0 ? 1 : 0, share / max * (ChartHeight - 2));
        svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"{side}\" x=\"{x:F1}\" y=\"{ChartHeight - height:F1}\" width=\"{width:F1}\" height=\"{height:F1}\"><title>{Encode(label)}: {side} {share:P1}</title></rect>");
    }

}
