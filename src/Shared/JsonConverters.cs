using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlOps.Sdk;

/// <summary>A content digest as its string, <c>sha256:...</c>. Linked as source into the packages that write digests as JSON.</summary>
internal sealed class DigestJsonConverter : JsonConverter<ContentDigest>
{
    public override ContentDigest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ContentDigest.TryParse(reader.GetString(), null, out var digest) ? digest : throw new JsonException("Not a content digest.");

    public override void Write(Utf8JsonWriter writer, ContentDigest value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}

/// <summary>A relative path as its string.</summary>
internal sealed class RelativePathJsonConverter : JsonConverter<RelativePath>
{
    public override RelativePath Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        RelativePath.TryParse(reader.GetString(), out var path) ? path : throw new JsonException("Not a relative path.");

    public override void Write(Utf8JsonWriter writer, RelativePath value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
