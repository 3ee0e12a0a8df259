using System.Globalization;

namespace MlOps.Sdk.Tracking.Search;

/// <summary>
/// The order every provider must give search results: each <see cref="RunOrdering"/> in turn (runs lacking the field
/// last, NaN metrics count as lacking), then start time descending, then run id. Text compares by Unicode code point,
/// which is the byte order of UTF-8.
/// </summary>
public sealed class RunOrderComparer(IReadOnlyList<RunOrdering> orderings) : IComparer<Run>
{
    /// <inheritdoc />
    public int Compare(Run? x, Run? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        foreach (var ordering in orderings)
        {
            var a = ValueOf(x, ordering.Field);
            var b = ValueOf(y, ordering.Field);
            if (a is null || b is null)
            {
                if (a is null && b is null)
                {
                    continue;
                }

                return a is null ? 1 : -1;
            }

            var c = a is double da ? da.CompareTo((double)b) : CompareCodePoints((string)a, (string)b);
            if (c != 0)
            {
                return ordering.Descending ? -c : c;
            }
        }

        var byStart = y.Info.StartTime.CompareTo(x.Info.StartTime);
        return byStart != 0 ? byStart : CompareCodePoints(x.Info.RunId, y.Info.RunId);
    }

    /// <summary>Compares two strings by Unicode code point.</summary>
    public static int CompareCodePoints(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var ea = a.EnumerateRunes();
        var eb = b.EnumerateRunes();
        while (true)
        {
            var hasA = ea.MoveNext();
            var hasB = eb.MoveNext();
            if (!hasA || !hasB)
            {
                return hasA.CompareTo(hasB);
            }

            var c = ea.Current.Value.CompareTo(eb.Current.Value);
            if (c != 0)
            {
                return c;
            }
        }
    }

    private static object? ValueOf(Run run, FilterField field) => field.Entity switch
    {
        FilterEntity.Metric => run.Metrics.TryGetValue(field.Key, out var m) && !double.IsNaN(m.Value) ? m.Value : null,
        FilterEntity.Param => run.Params.GetValueOrDefault(field.Key),
        FilterEntity.Tag => run.Tags.GetValueOrDefault(field.Key),
        FilterEntity.Attribute => field.Key switch
        {
            RunAttributes.UserId => run.Tags.GetValueOrDefault(RunAttributes.UserTag),
            RunAttributes.ArtifactUri => RunAttributes.ArtifactUriPrefix + run.Info.RunId,
            RunAttributes.RunId => run.Info.RunId,
            RunAttributes.RunName => run.Info.Name,
            RunAttributes.Status => RunFilter.StatusText(run.Info.Status),
            RunAttributes.ExperimentId => double.Parse(run.Info.ExperimentId, CultureInfo.InvariantCulture),
            RunAttributes.StartTime => (double)run.Info.StartTime.ToUnixTimeMilliseconds(),
            _ => run.Info.EndTime is { } end ? (double)end.ToUnixTimeMilliseconds() : null,
        },
        _ => throw new FilterSyntaxException(field.Key, 0, "runs cannot be ordered by dataset fields"),
    };
}
