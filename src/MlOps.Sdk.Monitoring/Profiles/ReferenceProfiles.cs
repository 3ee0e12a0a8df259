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

    /// <summary>Where the profile of the model's predictions on its training data is stored among the run's artifacts.</summary>
    public const string PredictionsArtifactPath = "monitoring/prediction-profile.json";

    /// <summary>
    /// Stores the profile of the model's outputs on its own training (or validation) data, built with
    /// <see cref="ReferenceProfile.Build{TIn}"/> over <c>TOut</c> rows: what prediction drift compares live outputs with.
    /// </summary>
    public static Task<RunArtifact> LogPredictionProfileAsync(this ActiveRun run, ReferenceProfile profile, CancellationToken cancellationToken = default) =>
        LogAsync(run, profile, PredictionsArtifactPath, cancellationToken);

    /// <summary>The prediction profile of the run that produced <paramref name="version"/>, or null when it logged none.</summary>
    public static async Task<ReferenceProfile?> LoadPredictionsForVersionAsync(ExperimentTracker tracker, ModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(version);
        if (version.SourceRunId is not { } runId)
        {
            return null;
        }

        Stream stream;
        try
        {
            stream = await tracker.OpenArtifactAsync(runId, PredictionsArtifactPath, cancellationToken).ConfigureAwait(false);
        }
        catch (MlOpsNotFoundException)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            return await ReferenceProfile.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stores <paramref name="profile"/> as an artifact of <paramref name="run"/>.</summary>
    public static Task<RunArtifact> LogReferenceProfileAsync(this ActiveRun run, ReferenceProfile profile, CancellationToken cancellationToken = default) =>
        LogAsync(run, profile, ArtifactPath, cancellationToken);

    private static async Task<RunArtifact> LogAsync(ActiveRun run, ReferenceProfile profile, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(profile);
        using var json = new MemoryStream();
        await profile.SaveAsync(json, cancellationToken).ConfigureAwait(false);
        json.Position = 0;
        return await run.LogArtifactAsync(path, json, cancellationToken).ConfigureAwait(false);
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
