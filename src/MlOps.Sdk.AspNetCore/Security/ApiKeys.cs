using System.Security.Cryptography;
using System.Text;

namespace MlOps.Sdk.AspNetCore.Security;

/// <summary>Makes API keys and the hashes the server keeps of them.</summary>
public static class ApiKeys
{
    /// <summary>The authentication scheme name of <c>AddMlOpsApiKeys</c>.</summary>
    public const string Scheme = "MlOpsApiKey";

    /// <summary>A new key: <c>mlops_</c> and 32 random bytes in base64url (256 bits, so a fast hash suffices to store it).</summary>
    public static string Generate() => "mlops_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The SHA-256 hash of <paramref name="key"/> in lower-case hexadecimal: what the server is configured with.</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }
}
