using Microsoft.AspNetCore.Authentication;

namespace MlOps.Sdk.AspNetCore.Security;

/// <summary>
/// The API keys of service callers, stored as SHA-256 hashes (<see cref="ApiKeys.Hash"/>): the keys themselves are
/// never configured on the server. A client may hold several keys at once, so a key is rotated without downtime: add
/// the new key's hash, move the client to it, remove the old hash. The options are read on every request
/// (<c>IOptionsMonitor</c>), so keys added or removed through configuration reload take effect without a restart.
/// </summary>
public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    private readonly List<ApiKeyClient> _keys = [];

    /// <summary>The request header that carries the key. <c>X-Api-Key</c> by default.</summary>
    public string HeaderName { get; set; } = "X-Api-Key";

    /// <summary>The keys accepted now.</summary>
    public IReadOnlyList<ApiKeyClient> Keys => _keys;

    /// <summary>Accepts the key whose hash is <paramref name="keyHash"/> as <paramref name="client"/>, in <paramref name="roles"/>.</summary>
    /// <param name="client">The caller's name: the identity of its requests, in the audit log among others.</param>
    /// <param name="keyHash">The key's SHA-256 hash in hexadecimal, as <see cref="ApiKeys.Hash"/> gives it.</param>
    /// <param name="roles">The roles of the caller, such as <see cref="MlOpsPolicies.Predict"/>.</param>
    /// <exception cref="ArgumentException">The hash is not 64 hexadecimal digits, or the client has no name.</exception>
    public ApiKeyAuthenticationOptions AddKey(string client, string keyHash, params string[] roles)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(client);
        ArgumentNullException.ThrowIfNull(keyHash);
        ArgumentNullException.ThrowIfNull(roles);
        if (keyHash.Length != 64 || !keyHash.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException("An API key hash is the key's SHA-256 in 64 hexadecimal digits (ApiKeys.Hash); the key itself is never configured.", nameof(keyHash));
        }

        _keys.Add(new ApiKeyClient(client, Convert.FromHexString(keyHash), [.. roles]));
        return this;
    }

    /// <summary>Stops accepting every key of <paramref name="client"/>.</summary>
    public ApiKeyAuthenticationOptions RemoveClient(string client)
    {
        _keys.RemoveAll(k => k.Client == client);
        return this;
    }
}

/// <summary>One accepted key: who presents it, its hash and the caller's roles.</summary>
/// <param name="Client">The caller's name.</param>
/// <param name="Hash">The key's SHA-256 hash.</param>
/// <param name="Roles">The caller's roles.</param>
public sealed record ApiKeyClient(string Client, ReadOnlyMemory<byte> Hash, IReadOnlyList<string> Roles)
{
    /// <summary>A short id of the key (the first 8 hex digits of its hash), safe to log.</summary>
    public string KeyId => Convert.ToHexStringLower(Hash.Span[..4]);
}
