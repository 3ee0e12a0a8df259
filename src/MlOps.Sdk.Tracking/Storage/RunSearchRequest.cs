using MlOps.Sdk.Tracking.Search;

namespace MlOps.Sdk.Tracking.Storage;

/// <summary>A parsed search as handed to a <see cref="TrackingStore"/>.</summary>
/// <param name="ExperimentIds">The experiments to search; empty means every experiment that is not deleted.</param>
/// <param name="Filter">The filter, or null for every run.</param>
/// <param name="OrderBy">The order; runs then sort by start time descending and run id.</param>
/// <param name="After">Return only runs after this key in the order (the last run of the previous page), or null from the start.</param>
/// <param name="Limit">How many runs to return at most.</param>
public sealed record RunSearchRequest(IReadOnlyList<string> ExperimentIds, RunFilter? Filter, IReadOnlyList<RunOrdering> OrderBy, RunSortKey? After, int Limit);
