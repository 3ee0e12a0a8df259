using System.CommandLine;
using MlOps.Sdk.Versioning;
using Spectre.Console;

namespace MlOps.Sdk.Cli.Commands;

/// <summary><c>mlops models list|show|promote|rollback</c>.</summary>
internal static class ModelsCommands
{
    public static Command Create(CommandRunner runner)
    {
        var list = new Command("list", "Lists models and their aliases");
        runner.Handle(list, async (_, output, store, ct) =>
        {
            var models = await store.Service<ModelRegistry>().ListModelsAsync(ct).ConfigureAwait(false);
            output.Write(models, CliJson.Default.IReadOnlyListRegisteredModel, m =>
            {
                var table = Output.Table("model", "aliases", "created", "description");
                foreach (var model in m)
                {
                    table.AddRow(Output.Cell(model.Name), Output.Cell(Aliases(model)), Output.Cell(model.CreatedAt), Output.Cell(model.Description));
                }

                return table;
            });
            return ExitCodes.Success;
        });

        var name = new Argument<string>("model") { Description = "The model's name" };
        var max = new Option<int>("--max") { Description = "The most versions to show, newest last (1 to 1,000)", DefaultValueFactory = _ => 100 };
        var show = new Command("show", "Shows a model's versions and aliases") { name, max };
        runner.Handle(show, async (parse, output, store, ct) =>
        {
            var registry = store.Service<ModelRegistry>();
            var model = await RequireAsync(registry, parse.GetValue(name)!, ct).ConfigureAwait(false);
            var versions = await registry.ListVersionsAsync(model.Name, parse.GetValue(max), cancellationToken: ct).ConfigureAwait(false);
            output.Write(new ModelDetail(model, versions.Versions), CliJson.Default.ModelDetail, d =>
            {
                var table = Output.Table("version", "status", "digest", "from run", "inputs", "created by", "created");
                table.Title($"{Markup.Escape(d.Model.Name)}: {Markup.Escape(Aliases(d.Model))}");
                foreach (var v in d.Versions)
                {
                    table.AddRow(
                        Output.Cell(v.Number),
                        Output.Cell(v.Status),
                        Output.Cell(v.Digest?.ToString()[..19]),
                        Output.Cell(v.SourceRunId),
                        Output.Cell(v.Signature is null ? "" : string.Join(", ", v.Signature.Inputs)),
                        Output.Cell(v.CreatedBy),
                        Output.Cell(v.CreatedAt));
                }

                return table;
            });
            return ExitCodes.Success;
        });

        var alias = new Argument<string>("alias") { Description = "The alias, such as production" };
        var version = new Argument<int>("version") { Description = "The version the alias is to point to" };
        var reason = new Option<string?>("--reason") { Description = "Why, for the audit log" };
        var promote = new Command("promote", "Points an alias at a version (approval and signature policies apply)") { name, alias, version, reason };
        runner.Handle(promote, async (parse, output, store, ct) =>
        {
            var move = await store.Service<ModelRegistry>().SetAliasAsync(parse.GetValue(name)!, parse.GetValue(alias)!, parse.GetValue(version), parse.GetValue(reason), ct).ConfigureAwait(false);
            output.Write(move, CliJson.Default.AliasMove, Moved);
            return ExitCodes.Success;
        });

        var rollback = new Command("rollback", "Points an alias back at the version it pointed to before its last move") { name, alias, reason };
        runner.Handle(rollback, async (parse, output, store, ct) =>
        {
            var registry = store.Service<ModelRegistry>();
            var (model, aliasName) = (parse.GetValue(name)!, parse.GetValue(alias)!);
            var history = await registry.GetAliasHistoryAsync(model, aliasName, ct).ConfigureAwait(false);
            var previous = history.Count > 0 ? history[^1].FromVersion : null;
            if (previous is not { } target)
            {
                throw new CliException(ExitCodes.NotFound, $"{model}@{aliasName} has no earlier version to roll back to.");
            }

            var move = await registry.SetAliasAsync(model, aliasName, target, parse.GetValue(reason) ?? "rollback", ct).ConfigureAwait(false);
            output.Write(move, CliJson.Default.AliasMove, Moved);
            return ExitCodes.Success;
        });

        return new Command("models", "Registered models, versions and aliases") { list, show, promote, rollback };
    }

    private static async Task<RegisteredModel> RequireAsync(ModelRegistry registry, string name, CancellationToken ct) =>
        await registry.GetModelAsync(name, ct).ConfigureAwait(false) ?? throw new CliException(ExitCodes.NotFound, $"No model is named '{name}'.");

    private static string Aliases(RegisteredModel model) =>
        string.Join(", ", model.Aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"));

    private static string Moved(AliasMove move) =>
        $"{move.ModelName}@{move.Alias}: {move.FromVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} -> {move.ToVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} by {move.Actor}";
}
