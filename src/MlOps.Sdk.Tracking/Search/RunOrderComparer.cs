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
            var c = RunSortValue.Compare(RunSortValue.Of(x, ordering.Field), RunSortValue.Of(y, ordering.Field), ordering.Descending);
            if (c != 0)
            {
                return c;
            }
        }

        return CompareTail(x.Info.StartTime, x.Info.RunId, y.Info.StartTime, y.Info.RunId);
    }

    /// <summary>Compares two runs' keys in this order: below zero when <paramref name="x"/> comes first.</summary>
    public int Compare(RunSortKey x, RunSortKey y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        for (var i = 0; i < orderings.Count; i++)
        {
            var c = RunSortValue.Compare(x.Values[i], y.Values[i], orderings[i].Descending);
            if (c != 0)
            {
                return c;
            }
        }

        return CompareTail(x.StartTime, x.RunId, y.StartTime, y.RunId);
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

    /// <summary>Start time descending, then run id.</summary>
    private static int CompareTail(DateTimeOffset xStart, string xId, DateTimeOffset yStart, string yId)
    {
        var byStart = yStart.CompareTo(xStart);
        return byStart != 0 ? byStart : CompareCodePoints(xId, yId);
    }
}
