using System.CommandLine;
using Spectre.Console;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.Cli.Commands;

/// <summary><c>mlops datasets snapshot|diff</c>.</summary>
internal static class DatasetsCommands
{
    public static Command Create(CommandRunner runner)
    {
        var name = new Argument<string>("dataset") { Description = "The dataset's name" };
        var path = new Argument<string>("path") { Description = "A file or a directory tree" };
        var snapshot = new Command("snapshot", "Snapshots a file or directory into the dataset's next version") { name, path };
        runner.Handle(snapshot, async (parse, output, store, ct) =>
        {
            var datasets = store.Service<IDatasetRegistry>();
            var version = await output.ProgressAsync($"snapshot {parse.GetValue(name)}", report =>
                datasets.SnapshotWithProgressAsync(parse.GetValue(name)!, parse.GetValue(path)!, new Progress(report), ct)).ConfigureAwait(false);
            output.Write(version, CliJson.Default.DatasetVersion, v => $"{v.Name}/{v.Version}: {v.FileCount} files, {v.TotalBytes} bytes, {v.Digest}");
            return ExitCodes.Success;
        });

        var from = new Argument<int>("from") { Description = "The older version" };
        var to = new Argument<int>("to") { Description = "The newer version" };
        var diff = new Command("diff", "Lists the files added, removed and changed between two versions") { name, from, to };
        runner.Handle(diff, async (parse, output, store, ct) =>
        {
            var result = await store.Service<IDatasetRegistry>().DiffAsync(parse.GetValue(name)!, parse.GetValue(from), parse.GetValue(to), ct).ConfigureAwait(false);
            var detail = new DiffDetail(result.Added, result.Removed, [.. result.Modified.Select(m => new ChangedFile(m.After.Path.Value, m.Before, m.After))]);
            output.Write(detail, CliJson.Default.DiffDetail, d =>
            {
                var table = Output.Table("change", "path", "bytes");
                foreach (var file in d.Added)
                {
                    table.AddRow("added", Output.Cell(file.Path.Value), Output.Cell(file.Length));
                }

                foreach (var file in d.Removed)
                {
                    table.AddRow("removed", Output.Cell(file.Path.Value), Output.Cell(file.Length));
                }

                foreach (var file in d.Modified)
                {
                    table.AddRow("changed", Output.Cell(file.Path), Output.Cell($"{file.Before.Length} -> {file.After.Length}"));
                }

                return table;
            });
            return ExitCodes.Success;
        });

        return new Command("datasets", "Dataset versions") { snapshot, diff };
    }

    /// <summary>Reports a snapshot's bytes to the progress bar; called on the snapshot's threads, so synchronous.</summary>
    private sealed class Progress(Action<double, double> report) : IProgress<DatasetSnapshotProgress>
    {
        public void Report(DatasetSnapshotProgress value) => report(value.BytesDone, value.BytesTotal);
    }
}
