using System.CommandLine;
using Spectre.Console;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Cli.Commands;

/// <summary><c>mlops approvals list|approve|reject</c>: decisions are made as the user running the tool.</summary>
internal static class ApprovalsCommands
{
    public static Command Create(CommandRunner runner)
    {
        var model = new Argument<string>("model") { Description = "The model" };
        var alias = new Argument<string>("alias") { Description = "The protected alias, such as production" };
        var list = new Command("list", "Lists the approval requests of an alias, newest first") { model, alias };
        runner.Handle(list, async (parse, output, store, ct) =>
        {
            var requests = await store.Service<ModelRegistry>().ListApprovalRequestsAsync(parse.GetValue(model)!, parse.GetValue(alias)!, ct).ConfigureAwait(false);
            output.Write(requests, CliJson.Default.IReadOnlyListApprovalRequest, r =>
            {
                var table = Output.Table("id", "version", "state", "requester", "requested", "decisions", "comment");
                foreach (var request in r)
                {
                    table.AddRow(
                        Output.Cell(request.Id),
                        Output.Cell(request.Version),
                        Output.Cell(request.State),
                        Output.Cell(request.Requester),
                        Output.Cell(request.RequestedAt),
                        Output.Cell(string.Join(", ", request.Decisions.Select(d => $"{d.Approver}: {(d.Approved ? "approved" : "rejected")}"))),
                        Output.Cell(request.Comment));
                }

                return table;
            });
            return ExitCodes.Success;
        });

        return new Command("approvals", "Approval requests for protected aliases") { list, Decide(runner, approve: true), Decide(runner, approve: false) };
    }

    private static Command Decide(CommandRunner runner, bool approve)
    {
        var id = new Argument<long>("request") { Description = "The request's id" };
        var comment = new Option<string?>("--comment") { Description = "For the audit log" };
        var command = new Command(approve ? "approve" : "reject", approve ? "Approves a request (never one's own)" : "Rejects a request") { id, comment };
        runner.Handle(command, async (parse, output, store, ct) =>
        {
            var registry = store.Service<ModelRegistry>();
            var request = approve
                ? await registry.ApproveAsync(parse.GetValue(id), parse.GetValue(comment), ct).ConfigureAwait(false)
                : await registry.RejectAsync(parse.GetValue(id), parse.GetValue(comment), ct).ConfigureAwait(false);
            output.Write(request, CliJson.Default.ApprovalRequest, r => $"request {r.Id} ({r.ModelName}@{r.Alias} -> {r.Version}): {r.State}");
            return ExitCodes.Success;
        });
        return command;
    }
}
