using System.Globalization;
using System.Net;
using System.Text;

namespace MlOps.Sdk.Monitoring;

/// <summary>What the self-contained HTML reports share: the page's head, encoding and number formats.</summary>
internal static class HtmlPage
{
    /// <summary>Starts a page: doctype, title, the report's own style sheet, and the heading.</summary>
    public static StringBuilder Open(string title, string style) =>
        new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{Encode(title)}</title>
            """).Append(style).Append(CultureInfo.InvariantCulture, $"""
            </head><body>
            <h1>{Encode(title)}</h1>

            """);

    public static string Number(double x) => double.IsNaN(x) ? "–" : x.ToString("G4", CultureInfo.InvariantCulture);

    public static string Encode(string text) => WebUtility.HtmlEncode(text);
}
