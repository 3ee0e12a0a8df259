using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using MlOps.Sdk.Versioning.Onnx;

namespace MlOps.Sdk.Versioning.Storage;

/// <summary>
/// Parsed forms of the JSON columns of model versions, keyed by the JSON text itself: a resolve on the serving path
/// does not parse the same signature again. The results are immutable records, safe to share.
/// </summary>
internal static class ParsedJson
{
    private const int MaxEntries = 4096;
    private static readonly ConcurrentDictionary<string, ModelSignature> SignatureCache = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, IReadOnlyList<VersionSignature>> SignaturesCache = new(StringComparer.Ordinal);

    public static ModelSignature Signature(string json) =>
        Cached(SignatureCache, json, static j => JsonSerializer.Deserialize(j, VersionJson.Default.ModelSignature)!);

    public static IReadOnlyList<VersionSignature> Signatures(string json) =>
        Cached(SignaturesCache, json, static j => (IReadOnlyList<VersionSignature>?)JsonSerializer.Deserialize(j, VersionJson.Default.ListVersionSignature) ?? []);

    private static T Cached<T>(ConcurrentDictionary<string, T> cache, string json, Func<string, T> parse)
    {
        if (cache.TryGetValue(json, out var parsed))
        {
            return parsed;
        }

        parsed = parse(json);
        if (cache.Count >= MaxEntries)
        {
            cache.Clear();
        }

        cache.TryAdd(json, parsed);
        return parsed;
    }
}

/// <summary>The JSON forms of a version's signature columns, source-generated.</summary>
[JsonSerializable(typeof(ModelSignature))]
[JsonSerializable(typeof(List<VersionSignature>))]
internal sealed partial class VersionJson : JsonSerializerContext;
