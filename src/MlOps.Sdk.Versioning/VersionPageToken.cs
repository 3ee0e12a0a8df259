using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MlOps.Sdk.Versioning;

/// <summary>
/// An opaque continuation of a version listing: the last number of the page (the next page starts after it, so page k
/// costs what page 1 does) and a hash of the name listed.
/// </summary>
internal static class VersionPageToken
{
    /// <summary>The most versions one page holds.</summary>
    public const int MaxPageSize = 1_000;

    /// <summary>
    /// Reads the page of <paramref name="name"/>'s versions after <paramref name="token"/>: <paramref name="read"/> lists
    /// at most a number of versions after a number, one more than the page holds, so a full page knows whether another follows.
    /// </summary>
    public static async Task<(IReadOnlyList<T> Versions, string? NextPageToken)> ReadAsync<T>(string name, int maxResults, string? token, Func<int, int, Task<IReadOnlyList<T>>> read, Func<T, int> number)
    {
        ArgumentNullException.ThrowIfNull(name);
        var versions = await read(ReadAfter(name, token, maxResults), maxResults + 1).ConfigureAwait(false);
        return versions.Count <= maxResults
            ? (versions, null)
            : (versions.Take(maxResults).ToList(), Create(name, number(versions[maxResults - 1])));
    }

    private static string Create(string name, int last) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Hash(name) + ":" + last.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The number to list after: 0 for the first page.</summary>
    /// <exception cref="MlOpsValidationException">The token is not one issued for a listing of <paramref name="name"/>, or the page size is out of range.</exception>
    private static int ReadAfter(string name, string? token, int maxResults)
    {
        if (maxResults is < 1 or > MaxPageSize)
        {
            throw new MlOpsValidationException($"A page holds 1 to {MaxPageSize} versions; {maxResults} were asked for.");
        }

        if (token is null)
        {
            return 0;
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            text = string.Empty;
        }

        var parts = text.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var after))
        {
            throw new MlOpsValidationException("The page token is not one this library issued. Pass the NextPageToken of the previous page unchanged.");
        }

        if (parts[0] != Hash(name))
        {
            throw new MlOpsValidationException($"The page token belongs to a listing of another name than '{name}'.");
        }

        return after;
    }

    private static string Hash(string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name))[..8]);
}
