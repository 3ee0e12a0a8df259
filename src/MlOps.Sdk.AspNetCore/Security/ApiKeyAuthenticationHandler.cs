using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MlOps.Sdk.AspNetCore.Security;

/// <summary>
/// Authenticates a request by its API key: the presented key is hashed and compared with every accepted hash in
/// constant time (<see cref="CryptographicOperations.FixedTimeEquals"/>), all of them each time, so neither the time
/// taken nor the order of the keys tells anything about a key.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<ApiKeyAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    private const int MaxKeyLength = 256;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Options.HeaderName, out var values) || values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = values[0]!;
        if (values.Count > 1 || presented.Length > MaxKeyLength)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key header is malformed."));
        }

        Span<byte> utf8 = stackalloc byte[MaxKeyLength * 3];
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(presented, utf8)], hash);
        ApiKeyClient? match = null;
        foreach (var key in Options.Keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Hash.Span) && match is null)
            {
                match = key;
            }
        }

        if (match is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        var claims = new List<Claim>(match.Roles.Count + 2)
        {
            new(ClaimTypes.Name, match.Client),
            new("mlops.api_key", match.KeyId),
        };
        claims.AddRange(match.Roles.Select(role => new Claim(ClaimTypes.Role, role)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name, ClaimTypes.Name, ClaimTypes.Role));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }
}
