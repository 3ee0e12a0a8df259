namespace MlOps.Sdk.Versioning;

/// <summary>A page of a model's versions, oldest first.</summary>
/// <param name="Versions">The versions of this page.</param>
/// <param name="NextPageToken">Pass it to <see cref="ModelRegistry.ListVersionsAsync"/> with the same name to read the next page; null on the last page.</param>
public sealed record ModelVersionPage(IReadOnlyList<ModelVersion> Versions, string? NextPageToken);
