namespace MlOps.Sdk.Versioning;

/// <summary>One change of an alias: set, moved or deleted.</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Alias">The alias.</param>
/// <param name="FromVersion">The version it pointed to before, or null.</param>
/// <param name="ToVersion">The version it points to after, or null when deleted.</param>
/// <param name="At">When.</param>
/// <param name="Actor">Who.</param>
public sealed record AliasMove(string ModelName, string Alias, int? FromVersion, int? ToVersion, DateTimeOffset At, string Actor);
