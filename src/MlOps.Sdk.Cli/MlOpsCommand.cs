using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Cli.Commands;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Cli;

/// <summary>The <c>mlops</c> command tree, its global options, and how every command ends: an exit code and, on error, one line.</summary>
internal static class MlOpsCommand
{
    public static readonly Option<string> StoreOption = new("--store")
    {
        Description = "The store: a directory holding mlops.db, or a PostgreSQL connection string. Default: $MLOPS_STORE, else .mlops",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MLOPS_STORE") is { Length: > 0 } store ? store : ".mlops",
        Recursive = true,
    };

    public static readonly Option<string?> ArtifactsOption = new("--artifacts")
    {
        Description = "The artifacts directory of a PostgreSQL store",
        Recursive = true,
    };

    public static readonly Option<string> SchemaOption = new("--schema")
    {
        Description = "The PostgreSQL schema of the store",
        DefaultValueFactory = _ => "mlops",
        Recursive = true,
    };

    /// <summary>
    /// Approval policies live in the application's code (<c>RequireApprovalFor</c>), not in the store, so the tool is
    /// told them; by default <c>production</c> needs one approval, so that the tool is never the way around it.
    /// </summary>
    public static readonly Option<string[]> ApprovalOption = new("--approval-required")
    {
        Description = "An alias that needs an approved request before it moves, as alias or alias:approvers. Default: $MLOPS_APPROVAL_REQUIRED (comma-separated), else production",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MLOPS_APPROVAL_REQUIRED") is { Length: > 0 } aliases ? aliases.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : ["production"],
        Recursive = true,
        AllowMultipleArgumentsPerToken = true,
    };

    public static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Write the result as JSON, for scripts",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("mlops: runs, models, approvals, datasets, lineage and audit of an MlOps.Sdk store");
        root.Options.Add(StoreOption);
        root.Options.Add(ArtifactsOption);
        root.Options.Add(SchemaOption);
        root.Options.Add(ApprovalOption);
        root.Options.Add(JsonOption);
        var invocation = new CommandRunner(output, error);
        root.Subcommands.Add(RunsCommands.Create(invocation));
        root.Subcommands.Add(ModelsCommands.Create(invocation));
        root.Subcommands.Add(ApprovalsCommands.Create(invocation));
        root.Subcommands.Add(DatasetsCommands.Create(invocation));
        root.Subcommands.Add(LineageCommands.Create(invocation));
        foreach (var command in StoreCommands.Create(invocation))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(UiCommand.Create());

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            await error.WriteLineAsync($"mlops: {first.Message} (mlops --help lists the commands)").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
    }
}

/// <summary>Runs a command's work with its store and output, and turns what it throws into an exit code and one line.</summary>
internal sealed class CommandRunner(TextWriter output, TextWriter error)
{
    public void Handle(Command command, Func<ParseResult, Output, IServiceProvider, CancellationToken, Task<int>> work) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            var json = parse.GetValue(MlOpsCommand.JsonOption);
            var writer = new Output(output, json);
            try
            {
                await using var store = Store.Open(
                    parse.GetValue(MlOpsCommand.StoreOption)!,
                    parse.GetValue(MlOpsCommand.ArtifactsOption),
                    parse.GetValue(MlOpsCommand.SchemaOption)!,
                    parse.GetValue(MlOpsCommand.ApprovalOption) ?? []);
                return await work(parse, writer, store, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var (code, message) = Describe(e);
                if (json)
                {
                    writer.Write(new CliError(message, code), CliJson.Default.CliError, _ => "");
                }

                await error.WriteLineAsync($"mlops: {message}").ConfigureAwait(false);
                return code;
            }
        });

    /// <summary>The exit code and the one line to print: the SDK's messages say what is wrong; anything else says its type too.</summary>
    private static (int Code, string Message) Describe(Exception error)
    {
        var message = error.Message.ReplaceLineEndings(" ");
        return error switch
        {
            CliException cli => (cli.ExitCode, message),
            GovernanceException => (ExitCodes.Refused, message),
            MlOpsNotFoundException => (ExitCodes.NotFound, message),
            MlOpsConflictException => (ExitCodes.Conflict, message),
            ArtifactIntegrityException => (ExitCodes.Damaged, message),
            MlOpsValidationException or UnsafePathException => (ExitCodes.InvalidInput, message),
            MlOpsException => (ExitCodes.Failure, message),
            _ => (ExitCodes.Failure, $"{message} ({error.GetType().Name})"),
        };
    }
}

/// <summary>Short ways to read a command's values.</summary>
internal static class Values
{
    public static T Service<T>(this IServiceProvider services)
        where T : notnull => services.GetRequiredService<T>();
}
