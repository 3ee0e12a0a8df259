namespace MlOps.Sdk.Tracking;

/// <summary>A named group of runs.</summary>
/// <param name="Id">The experiment's identifier.</param>
/// <param name="Name">The unique name.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="IsDeleted">Whether it is soft-deleted (hidden from listings, restorable).</param>
public sealed record Experiment(string Id, string Name, DateTimeOffset CreatedAt, bool IsDeleted);
