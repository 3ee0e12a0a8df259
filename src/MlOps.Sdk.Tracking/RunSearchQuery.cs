namespace MlOps.Sdk.Tracking;

/// <summary>A search for runs.</summary>
public sealed record RunSearchQuery
{
    /// <summary>The experiments to search by name (at most <see cref="TrackingLimits.MaxSearchExperiments"/>); empty means every experiment that is not deleted.</summary>
    public IReadOnlyList<string> ExperimentNames { get; init; } = [];

    /// <summary>The filter, e.g. <c>metrics.auc &gt; 0.9 AND (params.model = 'sdca' OR params.model = 'lbfgs')</c>; see <see cref="Search.RunFilter"/>.</summary>
    public string? Filter { get; init; }

    /// <summary>Order clauses such as <c>metrics.auc DESC</c> (at most <see cref="Search.RunFilter.MaxOrderByClauses"/>).</summary>
    public IReadOnlyList<string> OrderBy { get; init; } = [];

    /// <summary>The page size.</summary>
    /// <value>The default is 100; at most <see cref="TrackingLimits.MaxSearchResults"/>.</value>
    public int MaxResults { get; init; } = 100;

    /// <summary>The token of the page to read, from <see cref="RunSearchPage.NextPageToken"/>.</summary>
    public string? PageToken { get; init; }
}
