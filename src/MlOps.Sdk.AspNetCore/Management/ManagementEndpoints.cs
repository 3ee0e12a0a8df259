using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlOps.Sdk.AspNetCore.Http;
using MlOps.Sdk.AspNetCore.Production;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.AspNetCore.Management;

/// <summary>The management API's handlers: each reads its route, query and body, calls the SDK, and writes JSON.</summary>
internal sealed class ManagementEndpoints(MlOpsHttpOptions options)
{
    private static ManagementJson Json => ManagementJson.Default;

    /// <summary>Who the caller is and which capabilities the policies grant them, for the dashboard.</summary>
    public async Task MeAsync(HttpContext c)
    {
        var authorization = c.RequestServices.GetRequiredService<IAuthorizationService>();
        var capabilities = new List<string>();
        foreach (var policy in MlOpsPolicies.All)
        {
            if ((await authorization.AuthorizeAsync(c.User, policy).ConfigureAwait(false)).Succeeded)
            {
                capabilities.Add(policy["mlops.".Length..]);
            }
        }

        await WriteAsync(c, new Caller(c.User.Identity?.Name ?? "", capabilities), Json.Caller).ConfigureAwait(false);
    }

    public async Task ListExperimentsAsync(HttpContext c) =>
        await WriteAsync(c, await Tracker(c).ListExperimentsAsync(cancellationToken: c.RequestAborted).ConfigureAwait(false), Json.IReadOnlyListExperiment).ConfigureAwait(false);

    public async Task SearchRunsAsync(HttpContext c)
    {
        var query = c.Request.Query;
        var search = new RunSearchQuery
        {
            ExperimentNames = [.. query["experiment"].OfType<string>()],
            Filter = query["filter"].FirstOrDefault(),
            OrderBy = [.. query["orderBy"].OfType<string>()],
            MaxResults = Int(c, "maxResults") ?? 100,
            PageToken = query["pageToken"].FirstOrDefault(),
        };
        await WriteAsync(c, await Tracker(c).SearchRunsAsync(search, c.RequestAborted).ConfigureAwait(false), Json.RunSearchPage).ConfigureAwait(false);
    }

    public async Task GetRunAsync(HttpContext c)
    {
        var run = await Tracker(c).GetRunAsync(Route(c, "runId"), c.RequestAborted).ConfigureAwait(false) ?? throw RequestException.NotFound($"No run has id '{Route(c, "runId")}'.");
        await WriteAsync(c, run, Json.Run).ConfigureAwait(false);
    }

    public async Task GetMetricHistoryAsync(HttpContext c)
    {
        var points = Int(c, "points") ?? options.MaxMetricPoints;
        if (points < 1 || points > options.MaxMetricPoints)
        {
            throw RequestException.BadRequest("Too many points", $"'points' is 1 to {options.MaxMetricPoints}.", "points");
        }

        var (runId, key) = (Route(c, "runId"), Route(c, "key"));
        var buckets = await Tracker(c).GetMetricBucketsAsync(runId, key, points, c.RequestAborted).ConfigureAwait(false);
        await WriteAsync(c, new MetricHistory(runId, key, buckets), Json.MetricHistory).ConfigureAwait(false);
    }

    public async Task ListModelsAsync(HttpContext c) =>
        await WriteAsync(c, await Registry(c).ListModelsAsync(c.RequestAborted).ConfigureAwait(false), Json.IReadOnlyListRegisteredModel).ConfigureAwait(false);

    public async Task GetModelAsync(HttpContext c)
    {
        var model = await Registry(c).GetModelAsync(Route(c, "name"), c.RequestAborted).ConfigureAwait(false) ?? throw RequestException.NotFound($"No model is named '{Route(c, "name")}'.");
        await WriteAsync(c, model, Json.RegisteredModel).ConfigureAwait(false);
    }

    public async Task ListVersionsAsync(HttpContext c) =>
        await WriteAsync(c, await Registry(c).ListVersionsAsync(Route(c, "name"), Int(c, "maxResults") ?? 100, c.Request.Query["pageToken"].FirstOrDefault(), c.RequestAborted).ConfigureAwait(false), Json.ModelVersionPage).ConfigureAwait(false);

    public async Task GetVersionAsync(HttpContext c)
    {
        var (name, number) = (Route(c, "name"), RouteInt(c, "version"));
        var version = await Registry(c).GetVersionAsync(name, number, c.RequestAborted).ConfigureAwait(false) ?? throw RequestException.NotFound($"Model '{name}' has no version {number}.");
        await WriteAsync(c, version, Json.ModelVersion).ConfigureAwait(false);
    }

    public async Task CompareAsync(HttpContext c) =>
        await WriteAsync(c, await Registry(c).CompareSignaturesAsync(Route(c, "name"), RouteInt(c, "version"), RouteInt(c, "other"), c.RequestAborted).ConfigureAwait(false), Json.SignatureComparison).ConfigureAwait(false);

    public async Task ListDeploymentsAsync(HttpContext c) =>
        await WriteAsync(c, await Registry(c).ListDeploymentsAsync(Route(c, "name"), RouteInt(c, "version"), c.RequestAborted).ConfigureAwait(false), Json.IReadOnlyListModelDeployment).ConfigureAwait(false);

    public async Task ModelLineageAsync(HttpContext c) =>
        await WriteAsync(c, await Service<ILineage>(c, "lineage").ForModelVersionAsync(Route(c, "name"), RouteInt(c, "version"), c.RequestAborted).ConfigureAwait(false), Json.LineageGraph).ConfigureAwait(false);

    public async Task AliasHistoryAsync(HttpContext c) =>
        await WriteAsync(c, await Registry(c).GetAliasHistoryAsync(Route(c, "name"), c.Request.RouteValues.ContainsKey("alias") ? Route(c, "alias") : null, c.RequestAborted).ConfigureAwait(false), Json.IReadOnlyListAliasMove).ConfigureAwait(false);

    public async Task ListApprovalsAsync(HttpContext c) =>
        await WriteAsync(c, await Registry(c).ListApprovalRequestsAsync(Route(c, "name"), Route(c, "alias"), c.RequestAborted).ConfigureAwait(false), Json.IReadOnlyListApprovalRequest).ConfigureAwait(false);

    public async Task GetApprovalAsync(HttpContext c)
    {
        var id = RouteLong(c, "id");
        var request = await Registry(c).GetApprovalRequestAsync(id, c.RequestAborted).ConfigureAwait(false) ?? throw RequestException.NotFound($"No approval request has id {id}.");
        await WriteAsync(c, request, Json.ApprovalRequest).ConfigureAwait(false);
    }

    public async Task ListDatasetVersionsAsync(HttpContext c) =>
        await WriteAsync(c, await Service<IDatasetRegistry>(c, "datasets").ListVersionsAsync(Route(c, "name"), Int(c, "maxResults") ?? 100, c.Request.Query["pageToken"].FirstOrDefault(), c.RequestAborted).ConfigureAwait(false), Json.DatasetVersionPage).ConfigureAwait(false);

    public async Task DatasetLineageAsync(HttpContext c) =>
        await WriteAsync(c, await Service<ILineage>(c, "lineage").ForDatasetVersionAsync(Route(c, "name"), RouteInt(c, "version"), c.RequestAborted).ConfigureAwait(false), Json.LineageGraph).ConfigureAwait(false);

    public async Task DriftReportAsync(HttpContext c)
    {
        var model = Route(c, "model");
        var monitor = c.RequestServices.GetRequiredService<MappedModels>().Monitor(model)
            ?? throw RequestException.NotFound($"No monitored model named '{model}' is mapped with MapModel.");
        if (monitor.LastReport is not { } report)
        {
            throw RequestException.NotFound($"Model '{model}' has no drift report yet: its first window has not closed.");
        }

        c.Response.ContentType = "application/json; charset=utf-8";
        await report.SaveJsonAsync(c.Response.Body, c.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The models served in this application: those <c>MapModel</c> mapped and those that have served.</summary>
    public async Task ProductionListAsync(HttpContext c)
    {
        var (mapped, meters) = (c.RequestServices.GetRequiredService<MappedModels>(), c.RequestServices.GetRequiredService<ServingMeters>());
        var list = mapped.Names.Union(meters.Models).Order(StringComparer.Ordinal).Select(name =>
        {
            var slots = meters.Snapshot(name)?.Slots ?? [];
            return new ProductionSummary(name, mapped.Host(name, c.RequestServices)?.Current()?.Number, slots.Sum(s => s.Predictions), slots.Sum(s => s.Errors), mapped.Monitor(name) is not null);
        }).ToList();
        await WriteAsync(c, list, Json.IReadOnlyListProductionSummary).ConfigureAwait(false);
    }

    public async Task ProductionAsync(HttpContext c)
    {
        var name = Route(c, "model");
        var (mapped, meters) = (c.RequestServices.GetRequiredService<MappedModels>(), c.RequestServices.GetRequiredService<ServingMeters>());
        var host = mapped.Host(name, c.RequestServices);
        var serving = meters.Snapshot(name);
        var monitor = mapped.Monitor(name);
        if (host is null && serving is null)
        {
            throw RequestException.NotFound($"No model host named '{name}' serves in this application.");
        }

        var view = new ProductionView(name, host?.Current()?.Number, serving, monitor?.Windows ?? [], monitor?.Performance ?? [], monitor?.Firing ?? [], monitor is not null);
        await WriteAsync(c, view, Json.ProductionView).ConfigureAwait(false);
    }

    public async Task VerifyAuditLogAsync(HttpContext c) =>
        await WriteAsync(c, await Registry(c).VerifyAuditLogAsync(cancellationToken: c.RequestAborted).ConfigureAwait(false), Json.AuditVerification).ConfigureAwait(false);

    public async Task SetAliasAsync(HttpContext c)
    {
        RequireSignedIn(c);
        var change = await ReadAsync(c, Json.AliasChange).ConfigureAwait(false);
        var move = await Registry(c).SetAliasAsync(Route(c, "name"), Route(c, "alias"), change.Version, change.Reason, c.RequestAborted).ConfigureAwait(false);
        await WriteAsync(c, move, Json.AliasMove).ConfigureAwait(false);
    }

    public async Task DeleteAliasAsync(HttpContext c)
    {
        RequireSignedIn(c);
        var move = await Registry(c).DeleteAliasAsync(Route(c, "name"), Route(c, "alias"), c.Request.Query["reason"].FirstOrDefault(), c.RequestAborted).ConfigureAwait(false);
        await WriteAsync(c, move, Json.AliasMove).ConfigureAwait(false);
    }

    public async Task RequestApprovalAsync(HttpContext c)
    {
        RequireSignedIn(c);
        var change = await ReadAsync(c, Json.AliasChange).ConfigureAwait(false);
        var request = await Registry(c).RequestApprovalAsync(Route(c, "name"), Route(c, "alias"), change.Version, change.Reason, c.RequestAborted).ConfigureAwait(false);
        await WriteAsync(c, request, Json.ApprovalRequest, StatusCodes.Status201Created).ConfigureAwait(false);
    }

    public Task ApproveAsync(HttpContext c) => DecideAsync(c, approve: true);

    public Task RejectAsync(HttpContext c) => DecideAsync(c, approve: false);

    public async Task PinAsync(HttpContext c)
    {
        RequireSignedIn(c);
        var pin = await ReadAsync(c, Json.HostPin).ConfigureAwait(false);
        var (name, host) = Host(c);
        var changed = await host.Pin(pin.Version, c.RequestAborted).ConfigureAwait(false);
        await HostActedAsync(c, name, host, "host.pin", changed, pin.Reason).ConfigureAwait(false);
    }

    public async Task UnpinAsync(HttpContext c)
    {
        RequireSignedIn(c);
        var comment = await ReadOptionalAsync(c, Json.ActionComment).ConfigureAwait(false);
        var (name, host) = Host(c);
        var before = host.Current()?.Number;
        await host.Unpin(c.RequestAborted).ConfigureAwait(false);
        await HostActedAsync(c, name, host, "host.unpin", host.Current()?.Number != before, comment?.Comment).ConfigureAwait(false);
    }

    public async Task RollbackAsync(HttpContext c)
    {
        RequireSignedIn(c);
        var comment = await ReadOptionalAsync(c, Json.ActionComment).ConfigureAwait(false);
        var (name, host) = Host(c);
        var changed = await host.Rollback(c.RequestAborted).ConfigureAwait(false);
        await HostActedAsync(c, name, host, "host.rollback", changed, comment?.Comment).ConfigureAwait(false);
    }

    private async Task DecideAsync(HttpContext c, bool approve)
    {
        RequireSignedIn(c);
        var comment = await ReadOptionalAsync(c, Json.ActionComment).ConfigureAwait(false);
        var id = RouteLong(c, "id");
        var registry = Registry(c);
        try
        {
            var request = approve
                ? await registry.ApproveAsync(id, comment?.Comment, c.RequestAborted).ConfigureAwait(false)
                : await registry.RejectAsync(id, comment?.Comment, c.RequestAborted).ConfigureAwait(false);
            await WriteAsync(c, request, Json.ApprovalRequest).ConfigureAwait(false);
        }
        catch (GovernanceException refused)
        {
            var logger = c.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MlOps.Sdk.AspNetCore");
            HttpLog.Refused(logger, c.User.Identity!.Name ?? "?", approve ? "approval" : "rejection", $"request {id}", refused.Message);
            throw;
        }
    }

    private static async Task HostActedAsync(HttpContext c, string name, HostControl host, string action, bool changed, string? reason)
    {
        var serving = host.Current()?.Number;
        var detail = serving is { } v ? $"serves version {v}" : "serves nothing";
        await Registry(c).RecordActionAsync(action, name, changed ? detail : $"{detail} (unchanged)", reason, c.RequestAborted).ConfigureAwait(false);
        await WriteAsync(c, new HostState(name, serving, changed), Json.HostState).ConfigureAwait(false);
    }

    private static (string Name, HostControl Host) Host(HttpContext c)
    {
        var name = Route(c, "name");
        return (name, c.RequestServices.GetRequiredService<MappedModels>().Host(name, c.RequestServices)
            ?? throw RequestException.NotFound($"No model host named '{name}' runs in this process (typed hosts need MapModel)."));
    }

    /// <summary>A change needs a person or service the audit log can name: never the process's own identity.</summary>
    private static void RequireSignedIn(HttpContext c)
    {
        if (c.User.Identity is not { IsAuthenticated: true })
        {
            throw new RequestException(new(StatusCodes.Status401Unauthorized, "Sign in to make changes", "Changes are recorded with the caller's identity; an anonymous caller cannot make them."));
        }
    }

    private async Task<T> ReadAsync<T>(HttpContext c, JsonTypeInfo<T> type)
    {
        using var body = await RequestBody.ReadAsync(c, options.MaxRequestBodySize).ConfigureAwait(false);
        return JsonSerializer.Deserialize(body.Span, type) ?? throw RequestException.BadRequest("The body is null", "The body must be a JSON object.", "$");
    }

    private async Task<T?> ReadOptionalAsync<T>(HttpContext c, JsonTypeInfo<T> type)
        where T : class =>
        c.Request.ContentLength is null or 0 && !c.Request.Headers.TransferEncoding.Any() ? null : await ReadAsync(c, type).ConfigureAwait(false);

    private static Task WriteAsync<T>(HttpContext c, T value, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK) =>
        JsonResponse.WriteAsync(c, status, (value, type), static (writer, s) => JsonSerializer.Serialize(writer, s.value, s.type));

    private static ExperimentTracker Tracker(HttpContext c) => Service<ExperimentTracker>(c, "tracking");

    private static ModelRegistry Registry(HttpContext c) => Service<ModelRegistry>(c, "the model registry");

    private static T Service<T>(HttpContext c, string what)
        where T : notnull =>
        c.RequestServices.GetService<T>() ?? throw RequestException.NotFound($"This application does not run {what}.");

    private static string Route(HttpContext c, string key) => (string)c.Request.RouteValues[key]!;

    private static int RouteInt(HttpContext c, string key) => int.Parse(Route(c, key), CultureInfo.InvariantCulture);

    private static long RouteLong(HttpContext c, string key) => long.Parse(Route(c, key), CultureInfo.InvariantCulture);

    private static int? Int(HttpContext c, string key) =>
        c.Request.Query[key].FirstOrDefault() is not { } text ? null
        : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : throw RequestException.BadRequest("Not a number", $"'{key}' must be an integer.", key);
}
