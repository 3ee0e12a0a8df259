using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlOps.Sdk.Tracking.Search;

/// <summary>
/// An opaque continuation: the sort key of the last run of a page (keyset paging: the next page starts after it, and
/// costs what the first did) and a hash of the query it belongs to.
/// </summary>
internal sealed record PageToken(string Query, List<PageToken.Value> Values, long Start, string Run)
{
    public static string Create(RunSortKey last, RunSearchQuery query) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(
            new PageToken(Hash(query), [.. last.Values.Select(v => new Value(v.Number, v.Text))], last.StartTime.ToUnixTimeMilliseconds(), last.RunId),
            TrackingJsonContext.Default.PageToken));

    /// <summary>The key to continue after, or null for the first page.</summary>
    /// <exception cref="MlOpsValidationException">The token is not one this library issued for this query.</exception>
    public static RunSortKey? Read(RunSearchQuery query, IReadOnlyList<RunOrdering> orderBy)
    {
        if (query.PageToken is null)
        {
            return null;
        }

        PageToken? token = null;
        try
        {
            token = JsonSerializer.Deserialize(Convert.FromBase64String(query.PageToken), TrackingJsonContext.Default.PageToken);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
        }

        if (token?.Values is null || token.Run is null || token.Query is null || token.Values.Count != orderBy.Count
            || token.Values.Where((v, i) => !Fits(v, orderBy[i].Field)).Any())
        {
            throw new MlOpsValidationException("The page token is not one this library issued. Pass the NextPageToken of the previous page unchanged.");
        }

        if (token.Query != Hash(query))
        {
            throw new MlOpsValidationException("The page token belongs to another search. Repeat the same experiments, filter and order with it.");
        }

        return new RunSortKey(
            [.. token.Values.Select(v => v.Number is { } n ? RunSortValue.FromNumber(n) : v.Text is { } t ? RunSortValue.FromText(t) : RunSortValue.Missing)],
            DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(token.Start, -62135596800000, 253402300799999)),
            token.Run);
    }

    /// <summary>A value is missing, or a number for a numeric field, or a text for a textual one; NaN never appears.</summary>
    private static bool Fits(Value value, FilterField field) =>
        (value.Number, value.Text) switch
        {
            (null, null) => true,
            ({ } n, null) => !double.IsNaN(n) && RunSortValue.IsNumeric(field),
            (null, not null) => !RunSortValue.IsNumeric(field),
            _ => false,
        };

    private static string Hash(RunSearchQuery query)
    {
        var text = string.Join('\u001f', query.ExperimentNames) + '\u001e' + query.Filter + '\u001e' + string.Join('\u001f', query.OrderBy);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))[..12]);
    }

    /// <summary>One order field's value: a number, a text, or neither (missing).</summary>
    internal sealed record Value(double? Number, string? Text);
}

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PageToken))]
internal sealed partial class TrackingJsonContext : JsonSerializerContext;
