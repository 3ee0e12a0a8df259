using Microsoft.Data.Sqlite;
using MlOps.Sdk.Tracking;

namespace MlOps.Sdk.Storage.Sqlite.Tracking;

internal sealed partial class SqliteTrackingStore
{
    private sealed class RunData
    {
        public Dictionary<string, string> Params { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Metric> Metrics { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

        public List<DatasetInput> Inputs { get; } = [];

        public List<RunArtifact> Artifacts { get; } = [];
    }

    /// <summary>Loads params, latest metrics, tags, inputs and artifacts of a page of runs: five queries, whatever the page size.</summary>
    private static async Task<IReadOnlyList<Run>> LoadDataAsync(SqliteConnection connection, List<RunInfo> infos, CancellationToken cancellationToken)
    {
        if (infos.Count == 0)
        {
            return [];
        }

        var data = new Dictionary<string, RunData>(infos.Count, StringComparer.Ordinal);
        foreach (var info in infos)
        {
            data[info.RunId] = new RunData();
        }

        var ids = System.Text.Json.JsonSerializer.Serialize(infos.Select(i => i.RunId).ToList(), SqliteJsonContext.Default.ListString);
        await ReadAsync(connection, "SELECT run_id, key, value FROM params", ids, r => data[r.GetString(0)].Params[r.GetString(1)] = r.GetString(2), cancellationToken).ConfigureAwait(false);
        await ReadAsync(connection, "SELECT run_id, key, last_step, last_timestamp, last_value FROM metric_series", ids, r => data[r.GetString(0)].Metrics[r.GetString(1)] = StoredRows.Latest(r, 2), cancellationToken).ConfigureAwait(false);
        await ReadAsync(connection, "SELECT run_id, key, value FROM tags", ids, r => data[r.GetString(0)].Tags[r.GetString(1)] = r.GetString(2), cancellationToken).ConfigureAwait(false);
        await ReadAsync(connection, "SELECT run_id, name, digest, context FROM run_inputs", ids, r => data[r.GetString(0)].Inputs.Add(new DatasetInput(r.GetString(1), ContentDigest.Parse(r.GetString(2)), r.GetString(3))), cancellationToken).ConfigureAwait(false);
        await ReadAsync(connection, "SELECT run_id, path, digest, length FROM run_artifacts", ids, r => data[r.GetString(0)].Artifacts.Add(new RunArtifact(RelativePath.Parse(r.GetString(1)), ContentDigest.Parse(r.GetString(2)), r.GetInt64(3))), cancellationToken).ConfigureAwait(false);

        var runs = new List<Run>(infos.Count);
        foreach (var info in infos)
        {
            var d = data[info.RunId];
            runs.Add(new Run(info, d.Params, d.Metrics, d.Tags, d.Inputs, d.Artifacts));
        }

        return runs;
    }

    public override IAsyncEnumerable<ContentDigest> ListReferencedArtifactsAsync(CancellationToken cancellationToken = default) =>
        SqliteDigests.ReadAsync(database, "SELECT DISTINCT digest FROM run_artifacts;", cancellationToken);

    private static async Task ReadAsync(SqliteConnection connection, string select, string ids, Action<SqliteDataReader> row, CancellationToken cancellationToken)
    {
        var command = SqlCommand.Create(connection, null, select + " WHERE run_id IN (SELECT value FROM json_each($ids));");
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.AddWithValue("$ids", ids);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    row(reader);
                }
            }
        }
    }
}
