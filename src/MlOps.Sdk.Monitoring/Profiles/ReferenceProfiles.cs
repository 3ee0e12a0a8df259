using System.Text.Json;
using MlOps.Sdk.Monitoring.Quality;
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
        if (await OpenIfLoggedAsync(tracker, version, PredictionsArtifactPath, cancellationToken).ConfigureAwait(false) is not { } stream)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            return await ReferenceProfile.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Where the scores and labels that calibrate performance estimation are stored among the run's artifacts.</summary>
    public const string PerformanceArtifactPath = "monitoring/performance-reference.json";

    /// <summary>
    /// Stores a binary classifier's scores on labelled reference data (validation data, not the data it was fitted on)
    /// with those labels: what <see cref="ModelMonitorOptions.EstimatePerformance"/> calibrates its estimates on.
    /// </summary>
    /// <exception cref="MlOpsValidationException">The scores and labels cannot calibrate an estimator (lengths differ, a score is not finite, ...).</exception>
    public static async Task<RunArtifact> LogPerformanceReferenceAsync(this ActiveRun run, double[] scores, bool[] labels, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        _ = PerformanceEstimator.Fit(scores, labels);
        using var json = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(new PerformanceReference(scores, labels), ReportJson.Default.PerformanceReference));
        return await run.LogArtifactAsync(PerformanceArtifactPath, json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An estimator calibrated on the performance reference of the run that produced <paramref name="version"/>, or null when it logged none.</summary>
    public static async Task<PerformanceEstimator?> LoadPerformanceEstimatorForVersionAsync(ExperimentTracker tracker, ModelVersion version, PerformanceEstimatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (await OpenIfLoggedAsync(tracker, version, PerformanceArtifactPath, cancellationToken).ConfigureAwait(false) is not { } stream)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            var reference = await JsonSerializer.DeserializeAsync(stream, ReportJson.Default.PerformanceReference, cancellationToken).ConfigureAwait(false)
                ?? throw new MlOpsValidationException($"'{PerformanceArtifactPath}' of the run behind {version.Reference} is empty.");
            return PerformanceEstimator.Fit(reference.Scores, reference.Labels, options);
        }
    }

    /// <summary>The artifact at <paramref name="path"/> of the run behind <paramref name="version"/>, or null when the version has no run or the run no such artifact.</summary>
    private static async Task<Stream?> OpenIfLoggedAsync(ExperimentTracker tracker, ModelVersion version, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(version);
        if (version.SourceRunId is not { } runId)
        {
            return null;
        }

        try
        {
            return await tracker.OpenArtifactAsync(runId, path, cancellationToken).ConfigureAwait(false);
        }
        catch (MlOpsNotFoundException)
        {
            return null;
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

/// <summary>The scores and labels a performance estimator is calibrated on, as stored with the run.</summary>
internal sealed record PerformanceReference(double[] Scores, bool[] Labels);
