using MlOps.Sdk.Tracking;
using Npgsql;

namespace MlOps.Sdk.Storage.PostgreSql.Tracking;

internal sealed partial class PostgreSqlTrackingStore
{
    private sealed class RunData
    {
        public Dictionary<string, string> Params { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Metric> Metrics { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

        public List<DatasetInput> Inputs { get; } = [];

        public List<RunArtifact> Artifacts { get; } = [];
    }

    public override IAsyncEnumerable<ContentDigest> ListReferencedArtifactsAsync(CancellationToken cancellationToken = default) =>
        PostgreSqlDigests.ReadAsync(database, "SELECT DISTINCT digest FROM run_artifacts;", cancellationToken);

    /// <summary>Loads params, latest metrics, tags, inputs and artifacts of a page of runs: one round trip of five queries.</summary>
    private static async Task<IReadOnlyList<Run>> LoadDataAsync(NpgsqlConnection connection, List<RunInfo> infos, CancellationToken cancellationToken)
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

        var ids = infos.Select(i => i.RunId).ToArray();
        var batch = new NpgsqlBatch(connection);
        await using (batch.ConfigureAwait(false))
        {
            string[] selects =
            [
                "SELECT run_id, key, value FROM params",
                "SELECT run_id, key, last_step, last_timestamp, last_value FROM metric_series",
                "SELECT run_id, key, value FROM tags",
                "SELECT run_id, name, digest, context FROM run_inputs",
                "SELECT run_id, path, digest, length FROM run_artifacts",
            ];
            foreach (var select in selects)
            {
                var command = new NpgsqlBatchCommand(select + " WHERE run_id = ANY($1);");
                command.Parameters.Add(new NpgsqlParameter { Value = ids });
                batch.BatchCommands.Add(command);
            }

            var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                Action<NpgsqlDataReader>[] rows =
                [
                    r => data[r.GetString(0)].Params[r.GetString(1)] = r.GetString(2),
                    r => data[r.GetString(0)].Metrics[r.GetString(1)] = StoredRows.Latest(r, 2),
                    r => data[r.GetString(0)].Tags[r.GetString(1)] = r.GetString(2),
                    r => data[r.GetString(0)].Inputs.Add(new DatasetInput(r.GetString(1), ContentDigest.Parse(r.GetString(2)), r.GetString(3))),
                    r => data[r.GetString(0)].Artifacts.Add(new RunArtifact(RelativePath.Parse(r.GetString(1)), ContentDigest.Parse(r.GetString(2)), r.GetInt64(3))),
                ];
                foreach (var row in rows)
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        row(reader);
                    }

                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var runs = new List<Run>(infos.Count);
        foreach (var info in infos)
        {
            var d = data[info.RunId];
            runs.Add(new Run(info, d.Params, d.Metrics, d.Tags, d.Inputs, d.Artifacts));
        }

        return runs;
    }
}
