using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Monitoring;

/// <summary>
/// Keeps a reference profile with the model it describes: as an artifact of the training run, so that any registered
/// version from that run (digest-verified, like every artifact) leads to its reference through the registry.
/// </summary>
public static class ReferenceProfiles
{
    /// <summary>Where the profile is stored among the run's artifacts.</summary>
    public const string ArtifactPath = "monitoring/reference-profile.json";

    /// <summary>Stores <paramref name="profile"/> as an artifact of <paramref name="run"/>.</summary>
    public static async Task<RunArtifact> LogReferenceProfileAsync(this ActiveRun run, ReferenceProfile profile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(profile);
        using var json = new MemoryStream();
        await profile.SaveAsync(json, cancellationToken).ConfigureAwait(false);
        json.Position = 0;
        return await run.LogArtifactAsync(ArtifactPath, json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The reference profile of the run that produced <paramref name="version"/>.</summary>
    /// <exception cref="MlOpsNotFoundException">The version was not registered from a run, or its run has no profile.</exception>
    public static async Task<ReferenceProfile> LoadForVersionAsync(ExperimentTracker tracker, ModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(version);
        if (version.SourceRunId is not { } runId)
        {
            throw new MlOpsNotFoundException($"{version.Reference} was not registered from a run, so it has no reference profile; build one with ReferenceProfile.Build and log it with the training run.");
        }

        Stream stream;
        try
        {
            stream = await tracker.OpenArtifactAsync(runId, ArtifactPath, cancellationToken).ConfigureAwait(false);
        }
        catch (MlOpsNotFoundException e)
        {
            throw new MlOpsNotFoundException($"The run behind {version.Reference} ({runId}) has no '{ArtifactPath}': log the profile with LogReferenceProfileAsync. ({e.Message})");
        }

        await using (stream.ConfigureAwait(false))
        {
            return await ReferenceProfile.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }
}
