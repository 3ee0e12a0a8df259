using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace MlOps.Sdk.AspNetCore.Http;

/// <summary>
/// The per-client limit of <see cref="MlOpsHttpOptions.RateLimitPermits"/>: a fixed window per authenticated name, or
/// per remote address for anonymous callers. Applied by the endpoints themselves, so it cannot be lost by a missing
/// middleware; applications that prefer ASP.NET Core's rate-limiting middleware leave the permits at zero and call
/// <c>RequireRateLimiting</c> on the endpoint builders.
/// </summary>
internal sealed class ClientRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext>? _limiter;

    public ClientRateLimiter(IOptions<MlOpsHttpOptions> options)
    {
        var o = options.Value;
        if (o.RateLimitPermits > 0)
        {
            _limiter = PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetFixedWindowLimiter(
                ClientKey(context),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = o.RateLimitPermits, Window = o.RateLimitWindow, QueueLimit = 0, AutoReplenishment = true }));
        }
    }

    /// <summary>Null when the call may go on; else the 429 to answer.</summary>
    public Problem? Acquire(HttpContext context)
    {
        if (_limiter is null)
        {
            return null;
        }

        using var lease = _limiter.AttemptAcquire(context);
        if (lease.IsAcquired)
        {
            return null;
        }

        var seconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
        return new(StatusCodes.Status429TooManyRequests, "Too many requests", "This client has made more requests than its limit allows; wait and try again.") { RetryAfterSeconds = seconds };
    }

    private static string ClientKey(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { } name }
            ? "user:" + name
            : "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    public void Dispose() => _limiter?.Dispose();
}
