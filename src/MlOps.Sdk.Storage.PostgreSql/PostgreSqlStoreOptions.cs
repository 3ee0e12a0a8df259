using System.ComponentModel.DataAnnotations;

namespace MlOps.Sdk.Storage.PostgreSql;

/// <summary>Options of the PostgreSQL metadata store.</summary>
public sealed class PostgreSqlStoreOptions
{
    /// <summary>
    /// The Npgsql connection string. Leave it null to use the <c>NpgsqlDataSource</c> the host registered in its
    /// container (Npgsql.DependencyInjection's <c>AddNpgsqlDataSource</c>, say). Unless it sets <c>Max Auto Prepare</c>,
    /// the store prepares its 64 most used statements on each connection.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The schema that holds the store's tables, created when missing. It applies to <see cref="ConnectionString"/>;
    /// with the host's own data source the tables go where its search path says.
    /// </summary>
    /// <value>The default is <c>mlops</c>.</value>
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "The schema must be a lower-case SQL identifier (letters, digits, underscores).")]
    public string Schema { get; set; } = "mlops";
}
