namespace MlOps.Sdk.Tracking.Storage;

/// <summary>A run about to be created.</summary>
/// <param name="RunId">The new run's id.</param>
/// <param name="ExperimentId">The experiment it belongs to.</param>
/// <param name="Name">Its name.</param>
/// <param name="StartTime">When it started.</param>
/// <param name="LeaseExpiresAt">When it reads as killed unless its writer renews the lease.</param>
/// <param name="Tags">Tags to set at creation.</param>
public sealed record NewRun(string RunId, string ExperimentId, string Name, DateTimeOffset StartTime, DateTimeOffset LeaseExpiresAt, IReadOnlyDictionary<string, string> Tags);
