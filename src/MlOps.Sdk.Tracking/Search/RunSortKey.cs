namespace MlOps.Sdk.Tracking.Search;

/// <summary>
/// A run's place in a search's order: its value of each <see cref="RunOrdering"/> (in the same order), then its start
/// time and id. A search continues after a key (keyset paging), so page k costs what page 1 does.
/// </summary>
/// <param name="Values">The run's value of each order field; <see cref="RunSortValue.Missing"/> where it lacks one.</param>
/// <param name="StartTime">The run's start time, to the millisecond.</param>
/// <param name="RunId">The run's id.</param>
public sealed record RunSortKey(IReadOnlyList<RunSortValue> Values, DateTimeOffset StartTime, string RunId)
{
    /// <summary>The key of <paramref name="run"/> in the order of <paramref name="orderings"/>.</summary>
    public static RunSortKey Of(Run run, IReadOnlyList<RunOrdering> orderings)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(orderings);
        var values = new RunSortValue[orderings.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = RunSortValue.Of(run, orderings[i].Field);
        }

        return new RunSortKey(values, run.Info.StartTime, run.Info.RunId);
    }
}
