using System.Buffers;
using MlOps.Sdk.Tracking.Search;

namespace MlOps.Sdk.Tracking;

/// <summary>The limits every tracking store enforces, with <see cref="MlOpsValidationException"/> when exceeded.</summary>
public static class TrackingLimits
{
    /// <summary>The longest key of a param, metric or tag: 250 characters.</summary>
    public const int MaxKeyLength = 250;

    /// <summary>The longest param value: 6,000 characters.</summary>
    public const int MaxParamValueLength = 6000;

    /// <summary>The longest tag value: 8,000 characters.</summary>
    public const int MaxTagValueLength = 8000;

    /// <summary>The longest experiment or run name: 500 characters.</summary>
    public const int MaxNameLength = 500;

    /// <summary>The most experiments one search may name: 1,000.</summary>
    public const int MaxSearchExperiments = 1_000;

    /// <summary>The most runs one search page returns: 10,000.</summary>
    public const int MaxSearchResults = 10_000;

    private static readonly SearchValues<char> KeyCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-. /");

    /// <summary>Checks a param, metric or tag key: 1 to 250 of letters, digits, <c>_ - . /</c> and space, not a path that climbs.</summary>
    /// <exception cref="MlOpsValidationException">The key is not valid.</exception>
    public static void ValidateKey(string key, string kind)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length is 0 or > MaxKeyLength || key.AsSpan().ContainsAnyExcept(KeyCharacters) || key.Contains("..", StringComparison.Ordinal) || key[0] == '/')
        {
            throw new MlOpsValidationException(
                $"The {kind} key '{Shorten(key)}' is not valid: use 1 to {MaxKeyLength} letters, digits, '_', '-', '.', ' ' or '/', without '..' or a leading '/'.");
        }
    }

    internal static void ValidateValue(string value, int maxLength, string kind, string key)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > maxLength)
        {
            throw new MlOpsValidationException($"The value of {kind} '{key}' has {value.Length} characters; the limit is {maxLength}.");
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new MlOpsValidationException($"The value of {kind} '{key}' contains a NUL character, which stores cannot compare reliably.");
        }

        WellFormedText.Require(value, $"The value of {kind} '{key}'");
    }

    /// <summary>
    /// Checks a run's tags and adds the acting <paramref name="user"/> as <c>mlflow.user</c> unless they name one:
    /// searchable as <c>attributes.user_id</c>, as MLflow records it.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> ValidateTags(IReadOnlyDictionary<string, string> tags, string user)
    {
        foreach (var (key, value) in tags)
        {
            ValidateKey(key, "tag");
            ValidateValue(value, MaxTagValueLength, "tag", key);
        }

        if (tags.ContainsKey(RunAttributes.UserTag))
        {
            return tags;
        }

        ValidateValue(user, MaxTagValueLength, "tag", RunAttributes.UserTag);
        return new Dictionary<string, string>(tags, StringComparer.Ordinal) { [RunAttributes.UserTag] = user };
    }

    internal static void ValidateName(string name, string kind)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength)
        {
            throw new MlOpsValidationException($"The {kind} name '{Shorten(name)}' is not valid: use 1 to {MaxNameLength} characters, not only white space.");
        }

        WellFormedText.Require(name, $"The {kind} name");
    }

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
