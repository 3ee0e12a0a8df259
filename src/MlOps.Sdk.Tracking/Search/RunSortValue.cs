using System.Globalization;

namespace MlOps.Sdk.Tracking.Search;

/// <summary>
/// A run's value of one order field: a number (metrics, times, the experiment id), a text (params, tags and the other
/// attributes), or missing — the run lacks the field, or its metric is NaN — which sorts last in either direction.
/// </summary>
public readonly record struct RunSortValue
{
    private RunSortValue(double? number, string? text) => (Number, Text) = (number, text);

    /// <summary>The value of a run lacking the field.</summary>
    public static RunSortValue Missing => default;

    /// <summary>The number, when the field is numeric and present.</summary>
    public double? Number { get; }

    /// <summary>The text, when the field is textual and present.</summary>
    public string? Text { get; }

    /// <summary>Whether the run lacks the field.</summary>
    public bool IsMissing => Number is null && Text is null;

    /// <summary>A numeric value; NaN is missing.</summary>
    public static RunSortValue FromNumber(double number) => double.IsNaN(number) ? Missing : new(number, null);

    /// <summary>A text value.</summary>
    public static RunSortValue FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(null, text);
    }

    /// <summary>Whether <paramref name="field"/> orders by number (metrics, start and end time, experiment id) rather than text.</summary>
    public static bool IsNumeric(FilterField field)
        => field.Entity == FilterEntity.Metric
            || (field.Entity == FilterEntity.Attribute && field.Key is RunAttributes.StartTime or RunAttributes.EndTime or RunAttributes.ExperimentId);

    /// <summary>Compares two values of one field in ascending order, missing last.</summary>
    public static int Compare(RunSortValue a, RunSortValue b, bool descending)
    {
        if (a.IsMissing || b.IsMissing)
        {
            return a.IsMissing == b.IsMissing ? 0 : a.IsMissing ? 1 : -1;
        }

        var c = a.Number is { } x ? x.CompareTo(b.Number!.Value) : RunOrderComparer.CompareCodePoints(a.Text!, b.Text!);
        return descending ? -c : c;
    }

    internal static RunSortValue Of(Run run, FilterField field)
    {
        return field.Entity switch
        {
            FilterEntity.Metric => run.Metrics.TryGetValue(field.Key, out var m) ? FromNumber(m.Value) : Missing,
            FilterEntity.Param => Text(run.Params.GetValueOrDefault(field.Key)),
            FilterEntity.Tag => Text(run.Tags.GetValueOrDefault(field.Key)),
            FilterEntity.Attribute => field.Key switch
            {
                RunAttributes.UserId => Text(run.Tags.GetValueOrDefault(RunAttributes.UserTag)),
                RunAttributes.ArtifactUri => FromText(RunAttributes.ArtifactUriPrefix + run.Info.RunId),
                RunAttributes.RunId => FromText(run.Info.RunId),
                RunAttributes.RunName => FromText(run.Info.Name),
                RunAttributes.Status => FromText(RunFilter.StatusText(run.Info.Status)),
                RunAttributes.ExperimentId => FromNumber(double.Parse(run.Info.ExperimentId, CultureInfo.InvariantCulture)),
                RunAttributes.StartTime => FromNumber(run.Info.StartTime.ToUnixTimeMilliseconds()),
                _ => run.Info.EndTime is { } end ? FromNumber(end.ToUnixTimeMilliseconds()) : Missing,
            },
            _ => throw new FilterSyntaxException(field.Key, 0, "runs cannot be ordered by dataset fields"),
        };

        static RunSortValue Text(string? text) => text is null ? Missing : FromText(text);
    }
}
