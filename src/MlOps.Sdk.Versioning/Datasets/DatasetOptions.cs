namespace MlOps.Sdk.Versioning;

/// <summary>Options of dataset snapshots.</summary>
public sealed class DatasetOptions
{
    /// <summary>The file that remembers what unchanged files hashed to.</summary>
    /// <value>The default is <c>cache/dataset-state.json</c> under the root directory.</value>
    public string? StateCachePath { get; set; }

    /// <summary>How many files a snapshot reads at once.</summary>
    /// <value>The default is the number of processors.</value>
    public int MaxParallelism { get; set; } = Environment.ProcessorCount;
}
