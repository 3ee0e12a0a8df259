using System.Buffers;

namespace MlOps.Sdk.Tracking;

/// <summary>Checks a <see cref="RunImport"/> against the limits live runs obey and fills in what it leaves out.</summary>
internal static class RunImports
{
    private const int MaxRunIdLength = 64;

    private static readonly SearchValues<char> RunIdCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

    /// <summary>The run, valid, with an id and the importing <paramref name="user"/> unless its tags name one.</summary>
    /// <exception cref="MlOpsValidationException">A name, key, value, id, status or time is not valid.</exception>
    public static RunImport Prepare(RunImport run, string user)
    {
        ArgumentNullException.ThrowIfNull(run);
        TrackingLimits.ValidateName(run.Name, "run");
        if (run.RunId is { } id && (id.Length is 0 or > MaxRunIdLength || id.AsSpan().ContainsAnyExcept(RunIdCharacters)))
        {
            throw new MlOpsValidationException($"The run id '{id}' is not valid: use 1 to {MaxRunIdLength} letters, digits, '-' or '_'.");
        }

        if (run.Status is not (RunStatus.Finished or RunStatus.Failed or RunStatus.Killed))
        {
            throw new MlOpsValidationException($"Run '{run.Name}' is {run.Status}; only finished, failed or killed runs are imported.");
        }

        if (run.EndTime < run.StartTime)
        {
            throw new MlOpsValidationException($"Run '{run.Name}' ends ({run.EndTime:O}) before it starts ({run.StartTime:O}).");
        }

        ArgumentNullException.ThrowIfNull(run.Params);
        ArgumentNullException.ThrowIfNull(run.Tags);
        ArgumentNullException.ThrowIfNull(run.Metrics);
        ArgumentNullException.ThrowIfNull(run.Inputs);
        foreach (var (key, value) in run.Params)
        {
            TrackingLimits.ValidateKey(key, "param");
            TrackingLimits.ValidateValue(value, TrackingLimits.MaxParamValueLength, "param", key);
        }

        foreach (var (key, points) in run.Metrics)
        {
            TrackingLimits.ValidateKey(key, "metric");
            ArgumentNullException.ThrowIfNull(points);
        }

        foreach (var input in run.Inputs)
        {
            ArgumentNullException.ThrowIfNull(input);
        }

        return run with { RunId = run.RunId ?? Guid.NewGuid().ToString("N"), Tags = TrackingLimits.ValidateTags(run.Tags, user) };
    }
}
