using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MlOps.Sdk.AspNetCore;
using MlOps.Sdk.AspNetCore.Dashboard;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the dashboard.</summary>
public static class DashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard at <paramref name="prefix"/>: one page, its script modules and style sheet, all shipped inside this
    /// package (nothing from a CDN), reading the management API mapped at <paramref name="api"/> by
    /// <c>MapMlOpsManagement</c> with the caller's own credentials, so it shows and allows exactly what the API does.
    /// The page requires the <see cref="MlOpsPolicies.Read"/> policy; its answers carry a strict Content-Security-Policy
    /// (scripts, styles and requests to this origin only).
    /// </summary>
    public static RouteGroupBuilder MapMlOpsDashboard(this IEndpointRouteBuilder endpoints, string prefix = "/mlops", string api = "/mlops/api")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var assets = new DashboardAssets(api);
        var group = endpoints.MapGroup(prefix).RequireAuthorization(MlOpsPolicies.Read).ExcludeFromDescription();
        // One endpoint for "/mlops" and "/mlops/": the first is sent to the second, so the page's relative links resolve.
        group.MapGet("/", (Func<HttpContext, Task>)(context =>
        {
            if (!context.Request.Path.Value!.EndsWith('/'))
            {
                context.Response.Redirect(context.Request.PathBase + context.Request.Path + "/");
                return Task.CompletedTask;
            }

            return assets.WriteAsync(context, "index.html");
        }));
        foreach (var asset in assets.Files)
        {
            // Literal routes: a regex constraint is not registered in slim applications, and would fail every request.
            group.MapGet("/" + asset, (Func<HttpContext, Task>)(context => assets.WriteAsync(context, asset)));
        }
        return group;
    }
}
