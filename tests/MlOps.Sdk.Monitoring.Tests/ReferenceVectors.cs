using System.Globalization;
using System.Text.Json;

namespace MlOps.Sdk.Monitoring.Tests;

/// <summary>
/// The vectors <c>tools/reference/drift_vectors.py</c> wrote with scipy and numpy, and the sample generator both sides
/// implement bit for bit (a 64-bit LCG; sums of three dyadic uniforms, scaled, shifted, optionally floored to a grid).
/// </summary>
internal static class ReferenceVectors
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "drift.json"))));

    private static readonly Lazy<JsonDocument> TestsDocument = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "drift_tests.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    /// <summary>A case of <c>drift_tests.json</c> (<c>tools/reference/drift_tests_vectors.py</c>).</summary>
    public static IEnumerable<JsonElement> TestsSection(string name) => TestsDocument.Value.RootElement.GetProperty(name).EnumerateArray();

    /// <summary>A sample spec of any kind as strings (categories) or numbers: listed values, LCG categories, or LCG numbers.</summary>
    public static string[] Labels(JsonElement spec) =>
        spec.TryGetProperty("values", out var values) && values[0].ValueKind == JsonValueKind.String ? [.. values.EnumerateArray().Select(v => v.GetString()!)]
        : spec.TryGetProperty("k", out _) ? [.. Categories(spec).Select(v => v.ToString(CultureInfo.InvariantCulture))]
        : [.. Sample(spec).Select(v => v.ToString("R", CultureInfo.InvariantCulture))];

    public static IEnumerable<JsonElement> Section(string name) => Document.Value.RootElement.GetProperty(name).EnumerateArray();

    public static JsonElement Case(string section, string name) =>
        Section(section).Single(c => c.GetProperty("name").GetString() == name);

    public static double Number(this JsonElement element, string property)
    {
        var value = element.GetProperty(property);
        return value.ValueKind == JsonValueKind.String
            ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture)
            : value.GetDouble();
    }

    public static double[] Sample(JsonElement spec)
    {
        if (spec.TryGetProperty("values", out var values))
        {
            return values.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        }

        var state = (ulong)spec.GetProperty("seed").GetInt64();
        var n = spec.GetProperty("n").GetInt32();
        var scale = spec.Number("scale");
        var shift = spec.Number("shift");
        var quantum = spec.Number("quantum");
        var sample = new double[n];
        for (var i = 0; i < n; i++)
        {
            var total = 0.0;
            for (var k = 0; k < 3; k++)
            {
                state = Next(state);
                total += (state >> 32) / 4294967296.0;
            }

            var x = (total * scale) + shift;
            sample[i] = quantum != 0 ? Math.Floor(x * quantum) / quantum : x;
        }

        return sample;
    }

    public static double[] Categories(JsonElement spec)
    {
        var state = (ulong)spec.GetProperty("seed").GetInt64();
        var n = spec.GetProperty("n").GetInt32();
        var k = (ulong)spec.GetProperty("k").GetInt32();
        var offset = spec.TryGetProperty("offset", out var o) ? o.GetInt32() : 0;
        var sample = new double[n];
        for (var i = 0; i < n; i++)
        {
            state = Next(state);
            sample[i] = ((state >> 32) % k) + (double)offset;
        }

        return sample;
    }

    /// <summary>Labels, scores and thresholded predictions of a classification case (see the script's <c>classification</c>).</summary>
    public static (bool[] Labels, double[] Scores, bool[] Predictions) Classification(JsonElement spec)
    {
        var state = (ulong)spec.GetProperty("seed").GetInt64();
        var n = spec.GetProperty("n").GetInt32();
        var quantum = spec.TryGetProperty("quantum", out var q) ? q.GetDouble() : 0;
        var rate = spec.Number("rate");
        var threshold = spec.Number("threshold");
        var (labels, scores, predictions) = (new bool[n], new double[n], new bool[n]);
        for (var i = 0; i < n; i++)
        {
            state = Next(state);
            var u = (state >> 32) / 4294967296.0;
            scores[i] = quantum != 0 ? Math.Floor(u * quantum) / quantum : u;
            state = Next(state);
            labels[i] = (state >> 32) / 4294967296.0 < scores[i] * rate;
            predictions[i] = scores[i] >= threshold;
        }

        return (labels, scores, predictions);
    }

    private static ulong Next(ulong state) => unchecked((state * 6364136223846793005UL) + 1442695040888963407UL);
}
