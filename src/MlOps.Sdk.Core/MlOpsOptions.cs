using System.ComponentModel.DataAnnotations;

namespace MlOps.Sdk;

/// <summary>Options shared by every MlOps.Sdk layer.</summary>
public sealed class MlOpsOptions
{
    /// <summary>The directory that embedded stores keep their files in; relative paths are taken from the working directory.</summary>
    /// <value>The default is <c>.mlops</c>.</value>
    [Required]
    public string RootDirectory { get; set; } = ".mlops";

    /// <summary>The directory of the local content-addressed artifact store.</summary>
    /// <value>The default is <c>artifacts</c> under <see cref="RootDirectory"/>.</value>
    public string? ArtifactsDirectory { get; set; }

    internal string ResolveArtifactsDirectory() =>
        Path.GetFullPath(ArtifactsDirectory ?? Path.Combine(RootDirectory, "artifacts"));
}
