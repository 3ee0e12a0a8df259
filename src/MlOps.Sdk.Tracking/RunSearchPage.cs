namespace MlOps.Sdk.Tracking;

/// <summary>One page of search results.</summary>
/// <param name="Runs">The runs of this page.</param>
/// <param name="NextPageToken">Pass it in <see cref="RunSearchQuery.PageToken"/> with the same query to read the next page; null on the last page.</param>
public sealed record RunSearchPage(IReadOnlyList<Run> Runs, string? NextPageToken);
