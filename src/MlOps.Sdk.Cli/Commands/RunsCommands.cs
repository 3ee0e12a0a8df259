using System.CommandLine;
using MlOps.Sdk.Tracking;
using Spectre.Console;

namespace MlOps.Sdk.Cli.Commands;

/// <summary><c>mlops runs list|show</c>.</summary>
internal static class RunsCommands
{
    public static Command Create(CommandRunner runner)
    {
        var experiment = new Option<string[]>("--experiment", "-e") { Description = "Search these experiments (all when none is given)", AllowMultipleArgumentsPerToken = true };
        var filter = new Option<string?>("--filter", "-f") { Description = "The filter language, e.g. \"metrics.auc > 0.9 AND params.model = 'lbfgs'\"" };
        var orderBy = new Option<string[]>("--order-by", "-o") { Description = "Order fields, e.g. \"metrics.auc DESC\"" };
        var max = new Option<int>("--max") { Description = "The most runs to list (1 to 10,000)", DefaultValueFactory = _ => 100 };
        var pageToken = new Option<string?>("--page-token") { Description = "Continue after the page that gave this token" };
        var list = new Command("list", "Lists runs that match a filter") { experiment, filter, orderBy, max, pageToken };
        runner.Handle(list, async (parse, output, store, ct) =>
        {
            var page = await store.Service<ExperimentTracker>().SearchRunsAsync(
                new RunSearchQuery
                {
                    ExperimentNames = parse.GetValue(experiment) ?? [],
                    Filter = parse.GetValue(filter),
                    OrderBy = parse.GetValue(orderBy) ?? [],
                    MaxResults = parse.GetValue(max),
                    PageToken = parse.GetValue(pageToken),
                },
                ct).ConfigureAwait(false);
            output.Write(page, CliJson.Default.RunSearchPage, p =>
            {
                var table = Output.Table("run", "name", "status", "started", "metrics", "params");
                foreach (var run in p.Runs)
                {
                    table.AddRow(
                        Output.Cell(run.Info.RunId),
                        Output.Cell(run.Info.Name),
                        Output.Cell(run.Info.Status),
                        Output.Cell(run.Info.StartTime),
                        Output.Cell(string.Join(" ", run.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value.Value:G6}"))),
                        Output.Cell(string.Join(" ", run.Params.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value}"))));
                }

                if (p.NextPageToken is not null)
                {
                    table.Caption($"more: --page-token {Markup.Escape(p.NextPageToken)}");
                }

                return table;
            });
            return ExitCodes.Success;
        });

        var runId = new Argument<string>("run") { Description = "The run's id" };
        var show = new Command("show", "Shows a run: params, metrics, tags, inputs, artifacts") { runId };
        runner.Handle(show, async (parse, output, store, ct) =>
        {
            var id = parse.GetValue(runId)!;
            var run = await store.Service<ExperimentTracker>().GetRunAsync(id, ct).ConfigureAwait(false)
                ?? throw new CliException(ExitCodes.NotFound, $"No run has id '{id}'.");
            output.Write(run, CliJson.Default.Run, r =>
            {
                var table = Output.Table("kind", "key", "value");
                table.Title($"run {Markup.Escape(r.Info.RunId)} {Markup.Escape(r.Info.Name)} ({r.Info.Status})");
                foreach (var (key, value) in r.Params.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    table.AddRow("param", Output.Cell(key), Output.Cell(value));
                }

                foreach (var (key, metric) in r.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
                {
                    table.AddRow("metric", Output.Cell(key), Output.Cell($"{metric.Value:G6} (step {metric.Step})"));
                }

                foreach (var (key, value) in r.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
                {
                    table.AddRow("tag", Output.Cell(key), Output.Cell(value));
                }

                foreach (var input in r.Inputs)
                {
                    table.AddRow("input", Output.Cell(input.Name), Output.Cell($"{input.Digest} {input.Context}"));
                }

                foreach (var artifact in r.Artifacts)
                {
                    table.AddRow("artifact", Output.Cell(artifact.Path.Value), Output.Cell($"{artifact.Length} bytes {artifact.Digest}"));
                }

                return table;
            });
            return ExitCodes.Success;
        });

        return new Command("runs", "Experiment runs") { list, show };
    }
}
