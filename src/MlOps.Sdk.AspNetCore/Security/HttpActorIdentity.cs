using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace MlOps.Sdk.AspNetCore.Security;

/// <summary>
/// Who acts, for the registry's audit log and approvals: the authenticated caller of the current request (its name,
/// else its <c>sub</c> or name-identifier claim), and outside a request the identity the application had before.
/// </summary>
internal sealed class HttpActorIdentity(IHttpContextAccessor accessor, IActorIdentity fallback) : IActorIdentity
{
    public string CurrentActor => accessor.HttpContext?.User is { Identity.IsAuthenticated: true } user && Name(user) is { Length: > 0 } name
        ? name
        : fallback.CurrentActor;

    private static string? Name(ClaimsPrincipal user) =>
        user.Identity?.Name ?? user.FindFirst("sub")?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value;
}
