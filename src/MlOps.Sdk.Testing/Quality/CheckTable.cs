using System.Globalization;
using System.Text;

namespace MlOps.Sdk.Testing.Quality;

/// <summary>The table every model assertion reports: check, claim, value, interval, n, result.</summary>
internal static class CheckTable
{
    /// <summary>Throws when no claim was made or one does not hold.</summary>
    /// <exception cref="ModelAssertionException">A claim does not hold: the message is <paramref name="report"/>'s.</exception>
    public static void Verify(IReadOnlyList<QualityCheck> checks, Func<string> report, string claims)
    {
        if (checks.Count == 0)
        {
            throw new InvalidOperationException($"No claim was made: add {claims} before Verify.");
        }

        if (checks.Any(c => !c.Passed))
        {
            throw new ModelAssertionException(report(), [.. checks]);
        }
    }

    public static void Append(StringBuilder text, IReadOnlyList<QualityCheck> checks)
    {
        var rows = checks.Select(c => new[]
        {
            c.Check,
            c.Threshold,
            double.IsNaN(c.Value) ? "-" : c.Value.ToString("0.####", CultureInfo.InvariantCulture),
            c.Interval?.ToString() ?? "-",
            c.Count.ToString(CultureInfo.InvariantCulture),
            c.Passed ? "passed" : "FAILED: " + c.Detail,
        }).Prepend(["check", "claim", "value", "interval", "n", "result"]).ToList();
        var widths = Enumerable.Range(0, 5).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            text.Append("| ");
            for (var i = 0; i < 5; i++)
            {
                text.Append(row[i].PadRight(widths[i])).Append(" | ");
            }

            text.Append(row[5]).Append('\n');
        }
    }
}
