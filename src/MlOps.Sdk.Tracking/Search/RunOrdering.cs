namespace MlOps.Sdk.Tracking.Search;

/// <summary>One key of a search's order. Runs without the field sort last in either direction.</summary>
public sealed record RunOrdering(FilterField Field, bool Descending);
