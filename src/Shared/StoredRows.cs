using System.Data.Common;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Storage;

namespace MlOps.Sdk.Storage;

/// <summary>Rows the SQL stores read the same way, whichever database returned them.</summary>
internal static class StoredRows
{
    public static string? NullableString(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static DateTimeOffset Time(this DbDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    /// <summary>A series' latest point from (step, timestamp, value) at <paramref name="first"/>; a stored null is NaN.</summary>
    public static Metric Latest(DbDataReader reader, int first) =>
        new(reader.IsDBNull(first + 2) ? double.NaN : reader.GetDouble(first + 2), reader.GetInt64(first), reader.GetInt64(first + 1));

    /// <summary>
    /// Runs from (run_id, experiment_id, name, status, start_time, end_time, lease_expires_at) rows. A running run whose
    /// lease expired before <paramref name="nowMs"/> reads as killed at its lease's expiry.
    /// </summary>
    public static async Task<List<RunInfo>> ReadRunInfosAsync(DbCommand command, long nowMs, CancellationToken cancellationToken)
    {
        var infos = new List<RunInfo>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var status = Enum.Parse<RunStatus>(reader.GetString(3), ignoreCase: true);
                DateTimeOffset? end = reader.IsDBNull(5) ? null : reader.Time(5);
                var lease = reader.GetInt64(6);
                if (status == RunStatus.Running && lease < nowMs)
                {
                    status = RunStatus.Killed;
                    end = DateTimeOffset.FromUnixTimeMilliseconds(lease);
                }

                var experimentId = reader.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                infos.Add(new RunInfo(reader.GetString(0), experimentId, reader.GetString(2), status, reader.Time(4), end));
            }
        }

        return infos;
    }

    /// <summary>
    /// A model version from (model name, number, status, digest, length, source_run_id, signature_json, signatures_json,
    /// created_by, created_at, status_message, input_example).
    /// </summary>
    public static ModelVersion Version(DbDataReader r) => new(
        r.GetString(0),
        r.GetInt32(1),
        Enum.Parse<ModelVersionStatus>(r.GetString(2), ignoreCase: true),
        r.IsDBNull(3) ? null : ContentDigest.Parse(r.GetString(3)),
        r.GetInt64(4),
        r.NullableString(5),
        r.IsDBNull(6) ? null : ParsedJson.Signature(r.GetString(6)),
        r.GetString(8),
        r.Time(9),
        r.NullableString(10),
        ParsedJson.Signatures(r.GetString(7)))
    {
        InputExample = r.IsDBNull(11) ? null : ContentDigest.Parse(r.GetString(11)),
    };
}
