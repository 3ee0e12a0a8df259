namespace MlOps.Sdk.Versioning;

/// <summary>A page of a dataset's versions, oldest first.</summary>
/// <param name="Versions">The versions of this page.</param>
/// <param name="NextPageToken">Pass it to <see cref="IDatasetRegistry.ListVersionsAsync"/> with the same name to read the next page; null on the last page.</param>
public sealed record DatasetVersionPage(IReadOnlyList<DatasetVersion> Versions, string? NextPageToken);
