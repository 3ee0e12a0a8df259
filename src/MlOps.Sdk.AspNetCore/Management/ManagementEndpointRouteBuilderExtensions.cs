using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MlOps.Sdk.AspNetCore;
using MlOps.Sdk.AspNetCore.Http;
using MlOps.Sdk.AspNetCore.Management;
using MlOps.Sdk.AspNetCore.Production;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Onnx;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the management API.</summary>
public static class ManagementEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the management API under <paramref name="prefix"/>: runs (the filter language), run detail and metric history
    /// (downsampled), models, versions, signatures and their comparison, aliases and their history, approval requests and
    /// decisions, alias moves, pin/unpin/rollback of model hosts, datasets, lineage and drift reports. Reads require
    /// <see cref="MlOpsPolicies.Read"/>; alias moves, approval requests and host actions <see cref="MlOpsPolicies.Promote"/>;
    /// decisions <see cref="MlOpsPolicies.Approve"/>. Every change is made as the authenticated caller, who is the actor in
    /// the registry's audit log; a change by an anonymous caller is refused even when the endpoints allow anonymous reads.
    /// Endpoints whose service is not registered (no tracking, no datasets) answer 404.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddMlOpsHttp</c> was not called.</exception>
    public static RouteGroupBuilder MapMlOpsManagement(this IEndpointRouteBuilder endpoints, string prefix = "/mlops/api")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var handler = new EndpointHandler(endpoints);
        var api = new ManagementEndpoints(handler.Options);
        // Listening starts now, so the production page counts every prediction from the first.
        _ = endpoints.ServiceProvider.GetRequiredService<ServingMeters>();
        var group = endpoints.MapGroup(prefix).WithTags("management");

        Read(group.MapGet("/me", handler.Wrap(api.MeAsync)), "The caller's name and capabilities").Produces<Caller>();
        Read(group.MapGet("/experiments", handler.Wrap(api.ListExperimentsAsync)), "Lists experiments").Produces<IReadOnlyList<Experiment>>();
        Read(group.MapGet("/runs", handler.Wrap(api.SearchRunsAsync)), "Searches runs with the filter language (filter, orderBy, experiment, maxResults, pageToken)").Produces<RunSearchPage>();
        Read(group.MapGet("/runs/{runId}", handler.Wrap(api.GetRunAsync)), "Gets a run").Produces<Run>();
        Read(group.MapGet("/runs/{runId}/metrics/{key}", handler.Wrap(api.GetMetricHistoryAsync)), "A metric's history, downsampled to at most 'points' buckets").Produces<MetricHistory>();
        Read(group.MapGet("/models", handler.Wrap(api.ListModelsAsync)), "Lists models").Produces<IReadOnlyList<RegisteredModel>>();
        Read(group.MapGet("/models/{name}", handler.Wrap(api.GetModelAsync)), "Gets a model").Produces<RegisteredModel>();
        Read(group.MapGet("/models/{name}/versions", handler.Wrap(api.ListVersionsAsync)), "Lists a model's versions a page at a time").Produces<ModelVersionPage>();
        Read(group.MapGet("/models/{name}/versions/{version:int}", handler.Wrap(api.GetVersionAsync)), "Gets a version and its signature").Produces<ModelVersion>();
        Read(group.MapGet("/models/{name}/versions/{version:int}/compare/{other:int}", handler.Wrap(api.CompareAsync)), "Compares two versions' signatures").Produces<SignatureComparison>();
        Read(group.MapGet("/models/{name}/versions/{version:int}/deployments", handler.Wrap(api.ListDeploymentsAsync)), "Where a version has served").Produces<IReadOnlyList<ModelDeployment>>();
        Read(group.MapGet("/models/{name}/versions/{version:int}/lineage", handler.Wrap(api.ModelLineageAsync)), "A version's lineage: datasets, runs, aliases, deployments").Produces<LineageGraph>();
        Read(group.MapGet("/models/{name}/aliases/history", handler.Wrap(api.AliasHistoryAsync)), "Every move of the model's aliases").Produces<IReadOnlyList<AliasMove>>();
        Read(group.MapGet("/models/{name}/aliases/{alias}/history", handler.Wrap(api.AliasHistoryAsync)), "Every move of an alias").Produces<IReadOnlyList<AliasMove>>();
        Read(group.MapGet("/models/{name}/aliases/{alias}/approvals", handler.Wrap(api.ListApprovalsAsync)), "The approval requests of an alias, newest first").Produces<IReadOnlyList<ApprovalRequest>>();
        Read(group.MapGet("/approvals/{id:long}", handler.Wrap(api.GetApprovalAsync)), "Gets an approval request").Produces<ApprovalRequest>();
        Read(group.MapGet("/datasets/{name}/versions", handler.Wrap(api.ListDatasetVersionsAsync)), "Lists a dataset's versions a page at a time").Produces<DatasetVersionPage>();
        Read(group.MapGet("/datasets/{name}/versions/{version:int}/lineage", handler.Wrap(api.DatasetLineageAsync)), "What was made from a dataset version").Produces<LineageGraph>();
        Read(group.MapGet("/drift/{model}", handler.Wrap(api.DriftReportAsync)), "The last drift report of a monitored model");
        Read(group.MapGet("/production", handler.Wrap(api.ProductionListAsync)), "The models served in this application").Produces<IReadOnlyList<ProductionSummary>>();
        Read(group.MapGet("/production/{model}", handler.Wrap(api.ProductionAsync)), "A served model's rate, errors and latency (last ten minutes), shadow agreement, drift windows and alerts").Produces<ProductionView>();
        Read(group.MapGet("/audit/verification", handler.Wrap(api.VerifyAuditLogAsync)), "Verifies the audit log's hash chain").Produces<MlOps.Sdk.Versioning.Audit.AuditVerification>();

        Change(group.MapPut("/models/{name}/aliases/{alias}", handler.Wrap(api.SetAliasAsync)), MlOpsPolicies.Promote, "Points an alias at a version (approval and signature policies apply)").Accepts<AliasChange>("application/json").Produces<AliasMove>();
        Change(group.MapDelete("/models/{name}/aliases/{alias}", handler.Wrap(api.DeleteAliasAsync)), MlOpsPolicies.Promote, "Deletes an alias").Produces<AliasMove>();
        Change(group.MapPost("/models/{name}/aliases/{alias}/approvals", handler.Wrap(api.RequestApprovalAsync)), MlOpsPolicies.Promote, "Asks for approval to point an alias at a version").Accepts<AliasChange>("application/json").Produces<ApprovalRequest>();
        Change(group.MapPost("/approvals/{id:long}/approve", handler.Wrap(api.ApproveAsync)), MlOpsPolicies.Approve, "Approves a request (not one's own)").Accepts<ActionComment>("application/json").Produces<ApprovalRequest>();
        Change(group.MapPost("/approvals/{id:long}/reject", handler.Wrap(api.RejectAsync)), MlOpsPolicies.Approve, "Rejects a request").Accepts<ActionComment>("application/json").Produces<ApprovalRequest>();
        Change(group.MapPost("/hosts/{name}/pin", handler.Wrap(api.PinAsync)), MlOpsPolicies.Promote, "Pins a model host in this process to a version").Accepts<HostPin>("application/json").Produces<HostState>();
        Change(group.MapPost("/hosts/{name}/unpin", handler.Wrap(api.UnpinAsync)), MlOpsPolicies.Promote, "Makes a model host follow its alias again").Accepts<ActionComment>("application/json").Produces<HostState>();
        Change(group.MapPost("/hosts/{name}/rollback", handler.Wrap(api.RollbackAsync)), MlOpsPolicies.Promote, "Makes a model host serve the version it served before").Accepts<ActionComment>("application/json").Produces<HostState>();
        return group;

        static RouteHandlerBuilder Read(RouteHandlerBuilder endpoint, string summary) =>
            endpoint.RequireAuthorization(MlOpsPolicies.Read).WithSummary(summary).ProducesProblem(StatusCodes.Status404NotFound);

        static RouteHandlerBuilder Change(RouteHandlerBuilder endpoint, string policy, string summary) =>
            endpoint.RequireAuthorization(policy).WithSummary(summary)
                .ProducesProblem(StatusCodes.Status400BadRequest)
                .ProducesProblem(StatusCodes.Status403Forbidden)
                .ProducesProblem(StatusCodes.Status404NotFound)
                .ProducesProblem(StatusCodes.Status409Conflict);
    }
}
