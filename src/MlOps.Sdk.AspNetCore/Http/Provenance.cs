using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MlOps.Sdk.AspNetCore.Http;

/// <summary>
/// The headers that say which model, version, digest and variant computed a response. The texts of the last version
/// seen are kept, so a steady stream of predictions formats nothing.
/// </summary>
internal sealed class Provenance
{
    public const string Model = "MlOps-Model";
    public const string Version = "MlOps-Model-Version";
    public const string Digest = "MlOps-Model-Digest";
    public const string Variant = "MlOps-Model-Variant";

    private Texts? _last;

    public void Write(HttpResponse response, string model, int version, ContentDigest digest, string variant)
    {
        var texts = _last;
        if (texts is null || texts.Number != version || !texts.Hash.Equals(digest) || !ReferenceEquals(texts.ModelName, model))
        {
            texts = new Texts(model, version, digest, model, version.ToString(CultureInfo.InvariantCulture), digest.ToString());
            _last = texts;
        }

        var headers = response.Headers;
        headers[Model] = texts.ModelText;
        headers[Version] = texts.VersionText;
        headers[Digest] = texts.DigestText;
        headers[Variant] = variant;
    }

    private sealed record Texts(string ModelName, int Number, ContentDigest Hash, StringValues ModelText, StringValues VersionText, StringValues DigestText);
}
