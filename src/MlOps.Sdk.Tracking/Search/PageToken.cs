using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlOps.Sdk.Tracking.Search;

/// <summary>An opaque continuation: the offset of the next page and a hash of the query it belongs to.</summary>
internal sealed record PageToken(int Offset, string Query)
{
    public static string Create(int offset, RunSearchQuery query) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new PageToken(offset, Hash(query)), TrackingJsonContext.Default.PageToken));

    public static int ReadOffset(RunSearchQuery query)
    {
        if (query.PageToken is null)
        {
            return 0;
        }

        PageToken? token = null;
        try
        {
            token = JsonSerializer.Deserialize(Convert.FromBase64String(query.PageToken), TrackingJsonContext.Default.PageToken);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
        }

        if (token is null || token.Offset < 0)
        {
            throw new MlOpsValidationException("The page token is not one this library issued. Pass the NextPageToken of the previous page unchanged.");
        }

        if (token.Query != Hash(query))
        {
            throw new MlOpsValidationException("The page token belongs to another search. Repeat the same experiments, filter and order with it.");
        }

        return token.Offset;
    }

    private static string Hash(RunSearchQuery query)
    {
        var text = string.Join('\u001f', query.ExperimentNames) + '\u001e' + query.Filter + '\u001e' + string.Join('\u001f', query.OrderBy);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))[..12]);
    }
}

[JsonSerializable(typeof(PageToken))]
internal sealed partial class TrackingJsonContext : JsonSerializerContext;
