using System.Globalization;
using Npgsql;

namespace MlOps.Sdk.Storage.PostgreSql;

/// <summary>
/// The schema as an ordered list of migrations; table <c>schema_version</c> records how many ran. Text that searches
/// compare or order is <c>COLLATE "C"</c>: code-point order and case-sensitive equality, as the embedded store and the
/// filter language define them, whatever the database's locale.
/// </summary>
internal static class PostgreSqlSchema
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE experiments (
            experiment_id bigserial PRIMARY KEY,
            name text COLLATE "C" NOT NULL UNIQUE,
            created_at bigint NOT NULL,
            deleted boolean NOT NULL DEFAULT false);
        CREATE TABLE runs (
            run_id text COLLATE "C" PRIMARY KEY,
            experiment_id bigint NOT NULL REFERENCES experiments(experiment_id),
            name text COLLATE "C" NOT NULL,
            status text COLLATE "C" NOT NULL,
            start_time bigint NOT NULL,
            end_time bigint,
            lease_expires_at bigint NOT NULL);
        CREATE INDEX runs_by_experiment ON runs(experiment_id, start_time);
        CREATE INDEX runs_by_start ON runs(start_time DESC, run_id);
        CREATE INDEX runs_by_name ON runs(name);
        CREATE TABLE params (
            run_id text COLLATE "C" NOT NULL REFERENCES runs(run_id),
            key text COLLATE "C" NOT NULL,
            value text COLLATE "C" NOT NULL,
            value_number double precision,
            PRIMARY KEY (run_id, key));
        CREATE INDEX params_by_key ON params(key, value);
        CREATE INDEX params_by_number ON params(key, value_number) WHERE value_number IS NOT NULL;
        CREATE TABLE tags (
            run_id text COLLATE "C" NOT NULL REFERENCES runs(run_id),
            key text COLLATE "C" NOT NULL,
            value text COLLATE "C" NOT NULL,
            start_time bigint NOT NULL,
            PRIMARY KEY (run_id, key));
        CREATE INDEX tags_by_key ON tags(key, value, start_time DESC, run_id);
        CREATE TABLE metric_series (
            series_id bigserial PRIMARY KEY,
            run_id text COLLATE "C" NOT NULL REFERENCES runs(run_id),
            key text COLLATE "C" NOT NULL,
            point_count bigint NOT NULL,
            min_step bigint NOT NULL,
            max_step bigint NOT NULL,
            last_step bigint NOT NULL,
            last_timestamp bigint NOT NULL,
            last_value double precision,
            UNIQUE (run_id, key));
        CREATE INDEX metric_series_by_key ON metric_series(key, last_value, run_id);
        CREATE TABLE metric_segments (
            segment_id bigserial PRIMARY KEY,
            series_id bigint NOT NULL REFERENCES metric_series(series_id),
            point_count integer NOT NULL,
            points bytea NOT NULL);
        CREATE INDEX metric_segments_by_series ON metric_segments(series_id, segment_id);
        CREATE TABLE run_inputs (
            run_id text COLLATE "C" NOT NULL REFERENCES runs(run_id),
            name text COLLATE "C" NOT NULL,
            digest text COLLATE "C" NOT NULL,
            context text COLLATE "C" NOT NULL,
            PRIMARY KEY (run_id, name, digest, context));
        CREATE INDEX run_inputs_by_name ON run_inputs(name, digest);
        CREATE INDEX run_inputs_by_digest ON run_inputs(digest);
        CREATE TABLE run_artifacts (
            run_id text COLLATE "C" NOT NULL REFERENCES runs(run_id),
            path text COLLATE "C" NOT NULL,
            digest text COLLATE "C" NOT NULL,
            length bigint NOT NULL,
            PRIMARY KEY (run_id, path));
        CREATE INDEX run_artifacts_by_digest ON run_artifacts(digest);

        CREATE TABLE registered_models (
            model_id bigserial PRIMARY KEY,
            name text COLLATE "C" NOT NULL UNIQUE,
            description text NOT NULL,
            created_at bigint NOT NULL);
        CREATE TABLE model_tags (
            model_id bigint NOT NULL REFERENCES registered_models(model_id),
            key text COLLATE "C" NOT NULL,
            value text NOT NULL,
            PRIMARY KEY (model_id, key));
        CREATE TABLE model_versions (
            model_id bigint NOT NULL REFERENCES registered_models(model_id),
            number integer NOT NULL,
            status text NOT NULL,
            digest text COLLATE "C",
            length bigint NOT NULL DEFAULT 0,
            source_run_id text COLLATE "C",
            signature_json text,
            signatures_json text NOT NULL DEFAULT '[]',
            created_by text NOT NULL,
            created_at bigint NOT NULL,
            status_message text,
            input_example text COLLATE "C",
            PRIMARY KEY (model_id, number));
        CREATE INDEX model_versions_by_run ON model_versions(source_run_id);
        CREATE INDEX model_versions_by_digest ON model_versions(digest);
        CREATE TABLE model_aliases (
            model_id bigint NOT NULL REFERENCES registered_models(model_id),
            alias text COLLATE "C" NOT NULL,
            number integer NOT NULL,
            PRIMARY KEY (model_id, alias));
        CREATE TABLE alias_moves (
            move_id bigserial PRIMARY KEY,
            model_id bigint NOT NULL REFERENCES registered_models(model_id),
            alias text COLLATE "C" NOT NULL,
            from_number integer,
            to_number integer,
            moved_at bigint NOT NULL,
            actor text NOT NULL);
        CREATE INDEX alias_moves_by_alias ON alias_moves(model_id, alias, move_id);
        CREATE TABLE approval_requests (
            request_id bigserial PRIMARY KEY,
            model_id bigint NOT NULL REFERENCES registered_models(model_id),
            alias text COLLATE "C" NOT NULL,
            number integer NOT NULL,
            digest text NOT NULL,
            required integer NOT NULL,
            requester text NOT NULL,
            comment text,
            requested_at bigint NOT NULL,
            state text NOT NULL);
        CREATE INDEX approval_requests_by_alias ON approval_requests(model_id, alias);
        CREATE TABLE approval_decisions (
            request_id bigint NOT NULL REFERENCES approval_requests(request_id),
            approver text COLLATE "C" NOT NULL,
            approved boolean NOT NULL,
            comment text,
            decided_at bigint NOT NULL,
            PRIMARY KEY (request_id, approver));
        CREATE TABLE audit_log (
            sequence bigint PRIMARY KEY,
            time bigint NOT NULL,
            actor text NOT NULL,
            action text NOT NULL,
            subject text NOT NULL,
            before text,
            after text,
            reason text,
            previous_hash text NOT NULL,
            hash text NOT NULL);
        CREATE TABLE dataset_versions (
            name text COLLATE "C" NOT NULL,
            version integer NOT NULL,
            digest text COLLATE "C" NOT NULL,
            file_count integer NOT NULL,
            total_bytes bigint NOT NULL,
            created_by text NOT NULL,
            created_at bigint NOT NULL,
            PRIMARY KEY (name, version));
        CREATE INDEX dataset_versions_by_digest ON dataset_versions(digest);
        CREATE TABLE dataset_files (
            name text COLLATE "C" NOT NULL,
            version integer NOT NULL,
            path text COLLATE "C" NOT NULL,
            length bigint NOT NULL,
            digest text COLLATE "C" NOT NULL,
            PRIMARY KEY (name, version, path));
        CREATE INDEX dataset_files_by_digest ON dataset_files(digest);
        CREATE TABLE model_deployments (
            deployment_id bigserial PRIMARY KEY,
            model text COLLATE "C" NOT NULL,
            number integer NOT NULL,
            digest text NOT NULL,
            instance text NOT NULL,
            variant text NOT NULL,
            started_at bigint NOT NULL);
        CREATE INDEX model_deployments_by_version ON model_deployments(model, number);

        CREATE TABLE state (
            key text COLLATE "C" PRIMARY KEY,
            value bytea NOT NULL,
            updated_at bigint NOT NULL);

        CREATE TABLE write_receipts (
            write_id uuid PRIMARY KEY,
            written_at timestamptz NOT NULL DEFAULT now());
        """,
        // v2: what a copy from the embedded store has finished, so an interrupted copy goes on where it stopped.
        """
        CREATE TABLE migration_progress (
            step text PRIMARY KEY,
            source text NOT NULL,
            items bigint NOT NULL,
            done_at timestamptz NOT NULL DEFAULT now());
        """,
    ];

    public static int Version => Migrations.Length;

    public static async Task MigrateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await Sql.ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);", cancellationToken).ConfigureAwait(false);
        var stored = await Sql.ScalarAsync(connection, transaction, "SELECT max(version) FROM schema_version;", cancellationToken).ConfigureAwait(false);
        var current = stored is null ? 0 : Convert.ToInt32(stored, CultureInfo.InvariantCulture);
        if (current > Migrations.Length)
        {
            throw new MlOpsException($"The database was created by a newer MlOps.Sdk (schema {current}; this version knows {Migrations.Length}). Upgrade the package.");
        }

        for (var i = current; i < Migrations.Length; i++)
        {
            await Sql.ExecuteAsync(connection, transaction, Migrations[i], cancellationToken).ConfigureAwait(false);
        }

        if (current < Migrations.Length)
        {
            await Sql.ExecuteAsync(connection, transaction, "DELETE FROM schema_version;", cancellationToken).ConfigureAwait(false);
            await Sql.ExecuteAsync(connection, transaction, "INSERT INTO schema_version (version) VALUES ($1);", cancellationToken, Migrations.Length).ConfigureAwait(false);
        }
    }
}
