using System.ComponentModel.DataAnnotations;
using MlOps.Sdk.Artifacts;

namespace MlOps.Sdk.Versioning;

/// <summary>Options of dataset snapshots.</summary>
public sealed class DatasetOptions
{
    /// <summary>The file that remembers what unchanged files hashed to.</summary>
    /// <value>The default is <c>cache/dataset-state.json</c> under the root directory.</value>
    public string? StateCachePath { get; set; }

    /// <summary>How snapshots store file content in the artifact store.</summary>
    /// <value>
    /// The default is <see cref="ArtifactFileMode.Copy"/>. <see cref="ArtifactFileMode.HardLink"/> stores files without
    /// writing their content again and makes them read-only (as DVC's protected cache does): a first snapshot then costs
    /// about what hashing the files costs, instead of what writing them to disk costs.
    /// </value>
    public ArtifactFileMode StorageMode { get; set; } = ArtifactFileMode.Copy;

    /// <summary>How many files a snapshot reads at once.</summary>
    /// <value>The default is the number of processors.</value>
    [Range(1, 1024)]
    public int MaxParallelism { get; set; } = Environment.ProcessorCount;
}
