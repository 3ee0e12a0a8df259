using Microsoft.Data.Sqlite;
using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Audit;
using MlOps.Sdk.Versioning.Storage;

namespace MlOps.Sdk.Storage.Sqlite.Versioning;

internal sealed class SqliteDatasetStore(SqliteDatabase database) : DatasetStore
{
    private const string Columns = "name, version, digest, file_count, total_bytes, created_by, created_at";

    public override async Task<DatasetVersion> AddVersionAsync(string name, ContentDigest digest, IReadOnlyList<DatasetFile> files, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(audit);
        return await database.WriteAsync(
            async (c, t) =>
            {
                var latest = await QueryAsync(c, t, $"SELECT {Columns} FROM dataset_versions WHERE name = $name ORDER BY version DESC LIMIT 1;", cancellationToken, ("$name", name)).ConfigureAwait(false);
                if (latest.Count == 1 && latest[0].Digest == digest)
                {
                    return latest[0];
                }

                var version = new DatasetVersion(name, latest.Count == 0 ? 1 : latest[0].Version + 1, digest, files.Count, files.Sum(f => f.Length), audit.Actor, DateTimeOffset.FromUnixTimeMilliseconds(audit.Time.ToUnixTimeMilliseconds()));
                await SqlCommand.ExecuteAsync(
                    c,
                    t,
                    $"INSERT INTO dataset_versions ({Columns}) VALUES ($name, $v, $d, $n, $b, $by, $at);",
                    cancellationToken,
                    ("$name", name),
                    ("$v", version.Version),
                    ("$d", digest.ToString()),
                    ("$n", version.FileCount),
                    ("$b", version.TotalBytes),
                    ("$by", version.CreatedBy),
                    ("$at", version.CreatedAt.ToUnixTimeMilliseconds())).ConfigureAwait(false);
                var insert = SqlCommand.Create(c, t, "INSERT INTO dataset_files (name, version, path, length, digest) VALUES ($name, $v, $p, $l, $d);");
                await using (insert.ConfigureAwait(false))
                {
                    insert.Parameters.AddWithValue("$name", name);
                    insert.Parameters.AddWithValue("$v", version.Version);
                    var path = insert.Parameters.Add("$p", SqliteType.Text);
                    var length = insert.Parameters.Add("$l", SqliteType.Integer);
                    var fileDigest = insert.Parameters.Add("$d", SqliteType.Text);
                    foreach (var file in files)
                    {
                        path.Value = file.Path.Value;
                        length.Value = file.Length;
                        fileDigest.Value = file.Digest.ToString();
                        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                await SqliteAuditLog.AppendAsync(c, t, audit with { Subject = $"{name}/{version.Version}" }, cancellationToken).ConfigureAwait(false);
                return version;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public override async Task<DatasetVersion?> GetVersionAsync(string name, int version, CancellationToken cancellationToken = default) =>
        (await ReadAsync($"SELECT {Columns} FROM dataset_versions WHERE name = $name AND version = $v;", cancellationToken, ("$name", name), ("$v", version)).ConfigureAwait(false)).FirstOrDefault();

    public override async Task<DatasetVersion?> GetLatestVersionAsync(string name, CancellationToken cancellationToken = default) =>
        (await ReadAsync($"SELECT {Columns} FROM dataset_versions WHERE name = $name ORDER BY version DESC LIMIT 1;", cancellationToken, ("$name", name)).ConfigureAwait(false)).FirstOrDefault();

    public override async Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(string name, int afterVersion, int limit, CancellationToken cancellationToken = default) =>
        await ReadAsync($"SELECT {Columns} FROM dataset_versions WHERE name = $name AND version > $after ORDER BY version LIMIT $limit;", cancellationToken, ("$name", name), ("$after", afterVersion), ("$limit", limit)).ConfigureAwait(false);

    public override async Task<IReadOnlyList<DatasetVersion>> FindVersionsByDigestAsync(ContentDigest digest, CancellationToken cancellationToken = default) =>
        await ReadAsync($"SELECT {Columns} FROM dataset_versions WHERE digest = $d ORDER BY name, version;", cancellationToken, ("$d", digest.ToString())).ConfigureAwait(false);

    public override IAsyncEnumerable<ContentDigest> ListReferencedArtifactsAsync(CancellationToken cancellationToken = default) =>
        SqliteDigests.ReadAsync(database, "SELECT DISTINCT digest FROM dataset_files;", cancellationToken);

    public override async Task<IReadOnlyList<DatasetFile>> GetFilesAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (await SqlCommand.ScalarAsync(connection, null, "SELECT 1 FROM dataset_versions WHERE name = $name AND version = $v;", cancellationToken, ("$name", name), ("$v", version)).ConfigureAwait(false) is null)
            {
                throw new MlOpsNotFoundException($"Dataset '{name}' has no version {version}.");
            }

            // Paths are parsed again on the way out: a stored path that could escape is refused here, before any use.
            var rows = await SqlCommand.QueryAsync(connection, null, "SELECT path, length, digest FROM dataset_files WHERE name = $name AND version = $v;", r => new DatasetFile(RelativePath.Parse(r.GetString(0)), r.GetInt64(1), ContentDigest.Parse(r.GetString(2))), cancellationToken, ("$name", name), ("$v", version)).ConfigureAwait(false);
            return MlOps.Sdk.Versioning.Datasets.DatasetManifest.Canonical(rows);
        }
    }

    private async Task<List<DatasetVersion>> ReadAsync(string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await QueryAsync(connection, null, sql, cancellationToken, parameters).ConfigureAwait(false);
        }
    }

    private static Task<List<DatasetVersion>> QueryAsync(SqliteConnection c, SqliteTransaction? t, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters) =>
        SqlCommand.QueryAsync(c, t, sql, r => new DatasetVersion(r.GetString(0), r.GetInt32(1), ContentDigest.Parse(r.GetString(2)), r.GetInt32(3), r.GetInt64(4), r.GetString(5), r.Time(6)), cancellationToken, parameters);
}
