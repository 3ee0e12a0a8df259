using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace MlOps.Sdk.AspNetCore.Http;

/// <summary>The headers that say which model, version, digest and variant computed a response.</summary>
internal static class Provenance
{
    public const string Model = "MlOps-Model";
    public const string Version = "MlOps-Model-Version";
    public const string Digest = "MlOps-Model-Digest";
    public const string Variant = "MlOps-Model-Variant";

    public static void Write(HttpResponse response, string model, int version, ContentDigest digest, string variant)
    {
        var headers = response.Headers;
        headers[Model] = model;
        headers[Version] = version.ToString(CultureInfo.InvariantCulture);
        headers[Digest] = digest.ToString();
        headers[Variant] = variant;
    }
}
