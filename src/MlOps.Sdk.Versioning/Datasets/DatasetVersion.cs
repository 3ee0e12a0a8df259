using MlOps.Sdk.Tracking;

namespace MlOps.Sdk.Versioning;

/// <summary>An immutable, numbered snapshot of a file or directory.</summary>
/// <param name="Name">The dataset's name.</param>
/// <param name="Version">The version number: 1, 2, … per dataset.</param>
/// <param name="Digest">The digest of the canonical manifest: equal digests mean equal content.</param>
/// <param name="FileCount">How many files it holds.</param>
/// <param name="TotalBytes">Their total size.</param>
/// <param name="CreatedBy">Who took the snapshot.</param>
/// <param name="CreatedAt">When.</param>
public sealed record DatasetVersion(string Name, int Version, ContentDigest Digest, int FileCount, long TotalBytes, string CreatedBy, DateTimeOffset CreatedAt)
{
    /// <summary>The version as a run input, for <see cref="ActiveRun.LogInput"/>.</summary>
    public DatasetInput AsInput(string context = "") => new(Name, Digest, context);
}

/// <summary>One file of a dataset version.</summary>
/// <param name="Path">The path relative to the snapshot's root.</param>
/// <param name="Length">The size in bytes.</param>
/// <param name="Digest">The content digest.</param>
public sealed record DatasetFile(RelativePath Path, long Length, ContentDigest Digest);

/// <summary>What changed between two dataset versions.</summary>
public sealed record DatasetDiff(IReadOnlyList<DatasetFile> Added, IReadOnlyList<DatasetFile> Removed, IReadOnlyList<(DatasetFile Before, DatasetFile After)> Modified)
{
    /// <summary>Whether the versions hold the same content.</summary>
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Modified.Count == 0;
}

/// <summary>How far a snapshot has got: files and bytes stored of those the tree holds.</summary>
/// <param name="FilesDone">Files stored (or found unchanged) so far.</param>
/// <param name="FilesTotal">Files in the tree.</param>
/// <param name="BytesDone">Bytes of the files done.</param>
/// <param name="BytesTotal">Bytes of all the files.</param>
public sealed record DatasetSnapshotProgress(int FilesDone, int FilesTotal, long BytesDone, long BytesTotal);
