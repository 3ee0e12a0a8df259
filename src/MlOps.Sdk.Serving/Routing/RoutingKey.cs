namespace MlOps.Sdk.Serving.Routing;

/// <summary>
/// Places a routing key in one of a million buckets with a stable hash (FNV-1a, then a SplitMix64 finaliser), so a key
/// lands in the same bucket in every process and every run; <see cref="string.GetHashCode()"/> is randomised per process.
/// </summary>
internal static class RoutingKey
{
    public const int Buckets = 1_000_000;

    public static int Bucket(string salt, string key)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in salt)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash = (hash ^ '/') * 1099511628211UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9UL;
        hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EBUL;
        hash ^= hash >> 31;
        return (int)(hash % Buckets);
    }

    /// <summary>A bucket for a call without a key: random, so shares still hold, without stickiness.</summary>
    public static int Random() => System.Random.Shared.Next(Buckets);

    /// <summary>The number of buckets a percentage covers.</summary>
    public static int Share(double percent) => (int)Math.Round(percent / 100 * Buckets);
}
