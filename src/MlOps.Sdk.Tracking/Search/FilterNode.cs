namespace MlOps.Sdk.Tracking.Search;

/// <summary>A node of a parsed run filter. Storage providers translate the tree; <see cref="RunFilter.Matches"/> evaluates it in memory.</summary>
public abstract record FilterNode;

/// <summary>Both sides must hold.</summary>
public sealed record AndFilter(FilterNode Left, FilterNode Right) : FilterNode;

/// <summary>Either side must hold.</summary>
public sealed record OrFilter(FilterNode Left, FilterNode Right) : FilterNode;

/// <summary>A comparison of one field of a run with a literal. A run that lacks the field never matches, whatever the operator.</summary>
public sealed record FieldComparison(FilterField Field, ComparisonOperator Operator, FilterLiteral Value) : FilterNode;
