using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MlOps.Sdk.Storage.Sqlite;

/// <summary>The schema as an ordered list of migrations; <c>PRAGMA user_version</c> records how many ran.</summary>
internal static class SqliteSchema
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE experiments (
            experiment_id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE runs (
            run_id TEXT PRIMARY KEY,
            experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            start_time INTEGER NOT NULL,
            end_time INTEGER,
            lease_expires_at INTEGER NOT NULL);
        CREATE INDEX runs_by_experiment ON runs(experiment_id, start_time);
        CREATE TABLE params (
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            value_number REAL,
            PRIMARY KEY (run_id, key)) WITHOUT ROWID;
        CREATE INDEX params_by_key ON params(key, value);
        CREATE TABLE tags (
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_id, key)) WITHOUT ROWID;
        CREATE TABLE metric_series (
            series_id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            key TEXT NOT NULL,
            point_count INTEGER NOT NULL,
            min_step INTEGER NOT NULL,
            max_step INTEGER NOT NULL,
            last_step INTEGER NOT NULL,
            last_timestamp INTEGER NOT NULL,
            last_value REAL,
            UNIQUE (run_id, key));
        CREATE INDEX metric_series_by_key ON metric_series(key, last_value);
        CREATE TABLE metric_segments (
            segment_id INTEGER PRIMARY KEY,
            series_id INTEGER NOT NULL REFERENCES metric_series(series_id),
            point_count INTEGER NOT NULL,
            points BLOB NOT NULL);
        CREATE INDEX metric_segments_by_series ON metric_segments(series_id, segment_id);
        CREATE TABLE run_inputs (
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            name TEXT NOT NULL,
            digest TEXT NOT NULL,
            context TEXT NOT NULL,
            PRIMARY KEY (run_id, name, digest, context)) WITHOUT ROWID;
        CREATE TABLE run_artifacts (
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            path TEXT NOT NULL,
            digest TEXT NOT NULL,
            length INTEGER NOT NULL,
            PRIMARY KEY (run_id, path)) WITHOUT ROWID;
        """,
        """
        CREATE TABLE registered_models (
            model_id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            description TEXT NOT NULL,
            created_at INTEGER NOT NULL);
        CREATE TABLE model_tags (
            model_id INTEGER NOT NULL REFERENCES registered_models(model_id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, key)) WITHOUT ROWID;
        CREATE TABLE model_versions (
            model_id INTEGER NOT NULL REFERENCES registered_models(model_id),
            number INTEGER NOT NULL,
            status TEXT NOT NULL,
            digest TEXT,
            length INTEGER NOT NULL DEFAULT 0,
            source_run_id TEXT,
            signature_json TEXT,
            signatures_json TEXT NOT NULL DEFAULT '[]',
            created_by TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            status_message TEXT,
            PRIMARY KEY (model_id, number)) WITHOUT ROWID;
        CREATE INDEX model_versions_by_run ON model_versions(source_run_id);
        CREATE TABLE model_aliases (
            model_id INTEGER NOT NULL REFERENCES registered_models(model_id),
            alias TEXT NOT NULL,
            number INTEGER NOT NULL,
            PRIMARY KEY (model_id, alias)) WITHOUT ROWID;
        CREATE TABLE alias_moves (
            move_id INTEGER PRIMARY KEY,
            model_id INTEGER NOT NULL REFERENCES registered_models(model_id),
            alias TEXT NOT NULL,
            from_number INTEGER,
            to_number INTEGER,
            moved_at INTEGER NOT NULL,
            actor TEXT NOT NULL);
        CREATE INDEX alias_moves_by_alias ON alias_moves(model_id, alias, move_id);
        CREATE TABLE approval_requests (
            request_id INTEGER PRIMARY KEY AUTOINCREMENT,
            model_id INTEGER NOT NULL REFERENCES registered_models(model_id),
            alias TEXT NOT NULL,
            number INTEGER NOT NULL,
            digest TEXT NOT NULL,
            required INTEGER NOT NULL,
            requester TEXT NOT NULL,
            comment TEXT,
            requested_at INTEGER NOT NULL,
            state TEXT NOT NULL);
        CREATE INDEX approval_requests_by_alias ON approval_requests(model_id, alias);
        CREATE TABLE approval_decisions (
            request_id INTEGER NOT NULL REFERENCES approval_requests(request_id),
            approver TEXT NOT NULL,
            approved INTEGER NOT NULL,
            comment TEXT,
            decided_at INTEGER NOT NULL,
            PRIMARY KEY (request_id, approver)) WITHOUT ROWID;
        CREATE TABLE audit_log (
            sequence INTEGER PRIMARY KEY,
            time INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            before TEXT,
            after TEXT,
            reason TEXT,
            previous_hash TEXT NOT NULL,
            hash TEXT NOT NULL);
        CREATE TABLE dataset_versions (
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            digest TEXT NOT NULL,
            file_count INTEGER NOT NULL,
            total_bytes INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (name, version)) WITHOUT ROWID;
        CREATE INDEX dataset_versions_by_digest ON dataset_versions(digest);
        CREATE TABLE dataset_files (
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            path TEXT NOT NULL,
            length INTEGER NOT NULL,
            digest TEXT NOT NULL,
            PRIMARY KEY (name, version, path)) WITHOUT ROWID;
        """,
        // v3: where model versions serve, for lineage.
        """
        CREATE TABLE model_deployments (
            deployment_id INTEGER PRIMARY KEY,
            model TEXT NOT NULL,
            number INTEGER NOT NULL,
            digest TEXT NOT NULL,
            instance TEXT NOT NULL,
            variant TEXT NOT NULL,
            started_at INTEGER NOT NULL);
        CREATE INDEX model_deployments_by_version ON model_deployments(model, number);
        """,
        // v4: named state kept across restarts (a drift monitor's open window).
        """
        CREATE TABLE state (
            key TEXT PRIMARY KEY,
            value BLOB NOT NULL,
            updated_at INTEGER NOT NULL) WITHOUT ROWID;
        """,
        // v5: the input example registered with a model version.
        """
        ALTER TABLE model_versions ADD COLUMN input_example TEXT;
        """,
        // v6: indexes a search can start from — each per-run value by (key, value) (numeric params only where numeric),
        // runs in the default order and by name, dataset inputs by name and digest; the metric index covers the run id,
        // so an ordered read never visits the table. Tags keep their run's start time (it never changes), so the newest
        // runs with a tag come in order from the tag's index.
        """
        DROP INDEX metric_series_by_key;
        CREATE INDEX metric_series_by_key ON metric_series(key, last_value, run_id);
        CREATE INDEX params_by_number ON params(key, value_number) WHERE value_number IS NOT NULL;
        ALTER TABLE tags ADD COLUMN start_time INTEGER NOT NULL DEFAULT 0;
        UPDATE tags SET start_time = (SELECT r.start_time FROM runs r WHERE r.run_id = tags.run_id);
        CREATE INDEX tags_by_key ON tags(key, value, start_time DESC, run_id);
        CREATE INDEX runs_by_start ON runs(start_time DESC, run_id);
        CREATE INDEX runs_by_name ON runs(name);
        CREATE INDEX run_inputs_by_name ON run_inputs(name, digest);
        CREATE INDEX run_inputs_by_digest ON run_inputs(digest);
        """,
    ];

    public static int Version => Migrations.Length;

    public static async Task MigrateAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
            command.CommandText = "PRAGMA user_version;";
            var current = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (current > Migrations.Length)
            {
                throw new MlOpsException($"The database was created by a newer MlOps.Sdk (schema {current}; this version knows {Migrations.Length}). Upgrade the package.");
            }

            for (var i = current; i < Migrations.Length; i++)
            {
                await SqliteDatabase.ExecuteAsync(connection, Migrations[i], cancellationToken, transaction).ConfigureAwait(false);
                await SqliteDatabase.ExecuteAsync(connection, $"PRAGMA user_version={i + 1};", cancellationToken, transaction).ConfigureAwait(false);
            }
        }
    }
}
