namespace MlOps.Sdk.Versioning;

/// <summary>A model version starting to serve in a process: what lineage shows after "served as".</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Version">The version number.</param>
/// <param name="Digest">The digest of the content that was loaded.</param>
/// <param name="Instance">Where it serves: <c>machine/process id</c> by default.</param>
/// <param name="Variant">The host's variant that serves it (<c>primary</c>, <c>canary</c>, <c>shadow</c>, ...).</param>
/// <param name="StartedAt">When it started serving.</param>
public sealed record ModelDeployment(string ModelName, int Version, ContentDigest Digest, string Instance, string Variant, DateTimeOffset StartedAt)
{
    /// <summary>This process: <c>machine/process id</c>.</summary>
    public static string CurrentInstance { get; } = $"{Environment.MachineName}/{Environment.ProcessId}";
}
