using System.CommandLine;
using Spectre.Console;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Cli.Commands;

/// <summary><c>mlops lineage model|dataset</c>: the graph from data to runs, versions, aliases and deployments.</summary>
internal static class LineageCommands
{
    public static Command Create(CommandRunner runner) =>
        new("lineage", "Where a model version came from, or what was made from a dataset version")
        {
            Of(runner, "model", "A model version's lineage: its datasets, run, aliases and deployments", (l, n, v, ct) => l.ForModelVersionAsync(n, v, ct)),
            Of(runner, "dataset", "What was made from a dataset version: runs, model versions, aliases", (l, n, v, ct) => l.ForDatasetVersionAsync(n, v, ct)),
        };

    private static Command Of(CommandRunner runner, string kind, string description, Func<ILineage, string, int, CancellationToken, Task<LineageGraph>> read)
    {
        var name = new Argument<string>(kind) { Description = $"The {kind}'s name" };
        var version = new Argument<int>("version") { Description = "The version" };
        var command = new Command(kind, description) { name, version };
        runner.Handle(command, async (parse, output, store, ct) =>
        {
            var graph = await read(store.Service<ILineage>(), parse.GetValue(name)!, parse.GetValue(version), ct).ConfigureAwait(false);
            output.Write(graph, CliJson.Default.LineageGraph, g =>
            {
                var labels = g.Nodes.ToDictionary(n => n.Id, n => $"{n.Kind} {n.Label}", StringComparer.Ordinal);
                var table = Output.Table("from", "relation", "to");
                foreach (var edge in g.Edges)
                {
                    table.AddRow(Output.Cell(labels.GetValueOrDefault(edge.From, edge.From)), Output.Cell(edge.Relation), Output.Cell(labels.GetValueOrDefault(edge.To, edge.To)));
                }

                return table;
            });
            return ExitCodes.Success;
        });
        return command;
    }
}
