using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps liveness and readiness for probes.</summary>
public static class HealthEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET {prefix}/live</c>, which runs no check and answers 200 while the process serves HTTP (a model that
    /// fails to load must not get the process restarted), and <c>GET {prefix}/ready</c>, which runs the health checks
    /// tagged <c>mlops</c> (each model host's, each store's) and answers 200 when none is unhealthy, else 503, with
    /// each check's status and description as JSON (no exception text). Both answer anonymous probes; call
    /// <c>RequireAuthorization</c> on the returned builder to restrict them.
    /// </summary>
    public static RouteGroupBuilder MapMlOpsHealth(this IEndpointRouteBuilder endpoints, string prefix = "/health")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix).WithTags("health");
        group.MapHealthChecks("/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).AllowAnonymous();
        group.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("mlops"), ResponseWriter = WriteAsync }).AllowAnonymous();
        return group;
    }

    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("status", report.Status.ToString());
            writer.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                writer.WriteStartObject(name);
                writer.WriteString("status", entry.Status.ToString());
                writer.WriteString("description", entry.Description);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }
}
