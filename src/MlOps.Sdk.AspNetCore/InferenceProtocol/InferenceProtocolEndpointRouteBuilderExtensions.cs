using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MlOps.Sdk.AspNetCore;
using MlOps.Sdk.AspNetCore.Http;
using MlOps.Sdk.AspNetCore.InferenceProtocol;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Open Inference Protocol.</summary>
public static class InferenceProtocolEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the REST endpoints of the Open Inference Protocol v2 (https://github.com/kserve/open-inference-protocol,
    /// <c>specification/protocol/inference_rest.md</c>) over every untyped model host (<c>AddModelHost(name, ...)</c>):
    /// <c>GET /v2</c>, <c>/v2/health/live</c>, <c>/v2/health/ready</c>, <c>/v2/models/{name}[/versions/{version}]</c>,
    /// <c>.../ready</c> and <c>POST .../infer</c>, so that clients written for Triton, KServe or MLServer work unchanged.
    /// Errors are the protocol's <c>{"error": ...}</c>, inside an RFC 9457 problem. The two server health endpoints answer
    /// anyone (probes do not sign in); every other one requires the <see cref="MlOpsPolicies.Predict"/> policy unless
    /// <c>AllowAnonymous()</c> is called on the returned builder.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddMlOpsHttp</c> was not called.</exception>
    public static RouteGroupBuilder MapInferenceProtocol(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var handler = new EndpointHandler(endpoints);
        var protocol = new InferenceEndpoints(handler.Options);
        var group = endpoints.MapGroup("/v2").WithTags("open inference protocol");
        group.MapGet("/health/live", handler.Wrap(InferenceEndpoints.LiveAsync)).AllowAnonymous().WithSummary("Server live");
        group.MapGet("/health/ready", handler.Wrap(InferenceEndpoints.ReadyAsync)).AllowAnonymous().WithSummary("Server ready");
        Secure(group.MapGet("", handler.Wrap(InferenceEndpoints.ServerMetadataAsync)).WithSummary("Server metadata"));
        foreach (var model in new[] { "/models/{name}", "/models/{name}/versions/{version}" })
        {
            Secure(group.MapGet(model, handler.Wrap(protocol.ModelMetadataAsync)).WithSummary("Model metadata"));
            Secure(group.MapGet(model + "/ready", handler.Wrap(protocol.ModelReadyAsync)).WithSummary("Model ready"));
            Secure(group.MapPost(model + "/infer", handler.Wrap(protocol.InferAsync)).WithSummary("Inference")
                .ProducesProblem(StatusCodes.Status400BadRequest)
                .ProducesProblem(StatusCodes.Status413PayloadTooLarge));
        }

        return group;

        static void Secure(RouteHandlerBuilder endpoint) => endpoint.RequireAuthorization(MlOpsPolicies.Predict);
    }
}
