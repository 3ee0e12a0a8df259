namespace MlOps.Sdk.Tracking.Search;

/// <summary>
/// The <c>LIKE</c>/<c>ILIKE</c> matching every provider must agree with: <c>%</c> any run of characters, <c>_</c> one
/// Unicode code point (as SQLite's GLOB and PostgreSQL count), no escape character.
/// </summary>
internal static class LikePattern
{
    /// <summary>Whether <paramref name="value"/> matches <paramref name="pattern"/>.</summary>
    public static bool IsMatch(string value, string pattern, bool ignoreCase)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(pattern);
        int v = 0, p = 0, starP = -1, starV = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] == '%')
            {
                starP = p++;
                starV = v;
            }
            else if (p < pattern.Length && pattern[p] == '_')
            {
                p++;
                v += char.IsSurrogatePair(value, v) ? 2 : 1;
            }
            else if (p < pattern.Length && CharEquals(pattern[p], value[v], ignoreCase))
            {
                p++;
                v++;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                starV += char.IsSurrogatePair(value, starV) ? 2 : 1;
                v = starV;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '%')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static bool CharEquals(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));
}
