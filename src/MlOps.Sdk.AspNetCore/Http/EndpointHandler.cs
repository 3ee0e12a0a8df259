using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MlOps.Sdk.AspNetCore.Http;

/// <summary>Wraps each MlOps.Sdk handler: the per-client rate limit first, then problems for whatever it throws.</summary>
internal sealed class EndpointHandler
{
    private readonly ClientRateLimiter _limiter;

    public EndpointHandler(IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        _limiter = services.GetService<ClientRateLimiter>()
            ?? throw new InvalidOperationException("MlOps.Sdk endpoints need their services: call services.AddMlOpsHttp() when you build the application.");
        Options = services.GetRequiredService<IOptions<MlOpsHttpOptions>>().Value;
    }

    public MlOpsHttpOptions Options { get; }

    /// <summary>
    /// The handler as a delegate that minimal APIs map with their metadata (so it shows in the OpenAPI document); it takes
    /// the <see cref="HttpContext"/> alone, so nothing is bound by reflection per request.
    /// </summary>
    public Func<HttpContext, Task> Wrap(Func<HttpContext, Task> handler) => context =>
    {
        if (_limiter.Acquire(context) is { } refused)
        {
            return refused.WriteAsync(context);
        }

        return Problem.GuardAsync(context, Options.MaxRequestBodySize, handler);
    };
}
