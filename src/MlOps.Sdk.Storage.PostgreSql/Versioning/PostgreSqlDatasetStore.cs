using MlOps.Sdk.Versioning;
using MlOps.Sdk.Versioning.Datasets;
using MlOps.Sdk.Versioning.Storage;
using Npgsql;

namespace MlOps.Sdk.Storage.PostgreSql.Versioning;

/// <summary>Dataset versions on PostgreSQL: each is added as a serial write, with its manifest and audit entry.</summary>
internal sealed class PostgreSqlDatasetStore(PostgreSqlDatabase database) : DatasetStore
{
    private const string Columns = "name, version, digest, file_count, total_bytes, created_by, created_at";

    public override async Task<DatasetVersion> AddVersionAsync(string name, ContentDigest digest, IReadOnlyList<DatasetFile> files, AuditDraft audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(audit);
        return await database.WriteAsync(
            async (c, t) =>
            {
                var latest = await Sql.QueryAsync(c, t, $"SELECT {Columns} FROM dataset_versions WHERE name = $1 ORDER BY version DESC LIMIT 1;", Read, cancellationToken, name).ConfigureAwait(false);
                if (latest.Count == 1 && latest[0].Digest == digest)
                {
                    return latest[0];
                }

                var version = new DatasetVersion(name, latest.Count == 0 ? 1 : latest[0].Version + 1, digest, files.Count, files.Sum(f => f.Length), audit.Actor, DateTimeOffset.FromUnixTimeMilliseconds(audit.Time.ToUnixTimeMilliseconds()));
                await Sql.ExecuteAsync(c, t, $"INSERT INTO dataset_versions ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7);", cancellationToken, name, version.Version, digest.ToString(), version.FileCount, version.TotalBytes, version.CreatedBy, version.CreatedAt.ToUnixTimeMilliseconds()).ConfigureAwait(false);
                var copy = await c.BeginBinaryImportAsync("COPY dataset_files (name, version, path, length, digest) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
                await using (copy.ConfigureAwait(false))
                {
                    foreach (var file in files)
                    {
                        await copy.WriteRowAsync(cancellationToken, name, version.Version, file.Path.Value, file.Length, file.Digest.ToString()).ConfigureAwait(false);
                    }

                    await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
                }

                await PostgreSqlAuditLog.AppendAsync(c, t, audit with { Subject = $"{name}/{version.Version}" }, cancellationToken).ConfigureAwait(false);
                return version;
            },
            cancellationToken,
            serial: true).ConfigureAwait(false);
    }

    public override async Task<DatasetVersion?> GetVersionAsync(string name, int version, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"SELECT {Columns} FROM dataset_versions WHERE name = $1 AND version = $2;", cancellationToken, name, version).ConfigureAwait(false)).FirstOrDefault();

    public override async Task<DatasetVersion?> GetLatestVersionAsync(string name, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"SELECT {Columns} FROM dataset_versions WHERE name = $1 ORDER BY version DESC LIMIT 1;", cancellationToken, name).ConfigureAwait(false)).FirstOrDefault();

    public override async Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(string name, int afterVersion, int limit, CancellationToken cancellationToken = default) =>
        await QueryAsync($"SELECT {Columns} FROM dataset_versions WHERE name = $1 AND version > $2 ORDER BY version LIMIT $3;", cancellationToken, name, afterVersion, limit).ConfigureAwait(false);

    public override async Task<IReadOnlyList<DatasetVersion>> FindVersionsByDigestAsync(ContentDigest digest, CancellationToken cancellationToken = default) =>
        await QueryAsync($"SELECT {Columns} FROM dataset_versions WHERE digest = $1 ORDER BY name, version;", cancellationToken, digest.ToString()).ConfigureAwait(false);

    public override IAsyncEnumerable<ContentDigest> ListReferencedArtifactsAsync(CancellationToken cancellationToken = default) =>
        PostgreSqlDigests.ReadAsync(database, "SELECT DISTINCT digest FROM dataset_files;", cancellationToken);

    public override Task<IReadOnlyList<DatasetFile>> GetFilesAsync(string name, int version, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<DatasetFile>>(
            async (c, ct) =>
            {
                if (await Sql.ScalarAsync(c, null, "SELECT 1 FROM dataset_versions WHERE name = $1 AND version = $2;", ct, name, version).ConfigureAwait(false) is null)
                {
                    throw new MlOpsNotFoundException($"Dataset '{name}' has no version {version}.");
                }

                // Paths are parsed again on the way out: a stored path that could escape is refused here, before any use.
                var rows = await Sql.QueryAsync(c, null, "SELECT path, length, digest FROM dataset_files WHERE name = $1 AND version = $2;", r => new DatasetFile(RelativePath.Parse(r.GetString(0)), r.GetInt64(1), ContentDigest.Parse(r.GetString(2))), ct, name, version).ConfigureAwait(false);
                return DatasetManifest.Canonical(rows);
            },
            cancellationToken);

    private Task<List<DatasetVersion>> QueryAsync(string sql, CancellationToken cancellationToken, params object?[] values) =>
        database.ReadAsync((c, ct) => Sql.QueryAsync(c, null, sql, Read, ct, values), cancellationToken);

    private static DatasetVersion Read(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetInt32(1), ContentDigest.Parse(r.GetString(2)), r.GetInt32(3), r.GetInt64(4), r.GetString(5), r.Time(6));
}
