using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using MlOps.Sdk.Tracking;
using MlOps.Sdk.Tracking.Search;
using MlOps.Sdk.Tracking.Storage;

namespace MlOps.Sdk.Storage.Sqlite.Tracking;

/// <summary>
/// Translates a parsed search into one parameterised SELECT over <c>runs r</c>. Every literal and key becomes a
/// parameter; only fixed SQL fragments chosen by the syntax tree's node types are written into the text.
/// </summary>
internal sealed class SqliteRunQuery
{
    public const string EffectiveStatus = "(CASE WHEN r.status = 'RUNNING' AND r.lease_expires_at < $now THEN 'KILLED' ELSE r.status END)";
    private const string EffectiveEndTime = "(CASE WHEN r.status = 'RUNNING' THEN (CASE WHEN r.lease_expires_at < $now THEN r.lease_expires_at END) ELSE r.end_time END)";

    private readonly StringBuilder _sql = new();
    private readonly List<object> _parameters = [];

    private SqliteRunQuery()
    {
    }

    public static bool UsesILike(FilterNode node) => node switch
    {
        AndFilter and => UsesILike(and.Left) || UsesILike(and.Right),
        OrFilter or => UsesILike(or.Left) || UsesILike(or.Right),
        FieldComparison c => c.Operator == ComparisonOperator.ILike,
        _ => false,
    };

    public static void Apply(SqliteCommand command, RunSearchRequest request, long nowMs)
    {
        var query = new SqliteRunQuery();
        query.Build(request);
        command.CommandText = query._sql.ToString();
        command.Parameters.AddWithValue("$now", nowMs);
        for (var i = 0; i < query._parameters.Count; i++)
        {
            command.Parameters.AddWithValue("$p" + i.ToString(CultureInfo.InvariantCulture), query._parameters[i]);
        }
    }

    private void Build(RunSearchRequest request)
    {
        _sql.Append("SELECT r.run_id, r.experiment_id, r.name, r.status, r.start_time, r.end_time, r.lease_expires_at FROM runs r WHERE ");
        if (request.ExperimentIds.Count == 0)
        {
            _sql.Append("r.experiment_id IN (SELECT experiment_id FROM experiments WHERE deleted = 0)");
        }
        else
        {
            _sql.Append("r.experiment_id IN (");
            for (var i = 0; i < request.ExperimentIds.Count; i++)
            {
                _sql.Append(i == 0 ? string.Empty : ", ").Append(Parameter(long.TryParse(request.ExperimentIds[i], CultureInfo.InvariantCulture, out var id) ? id : -1L));
            }

            _sql.Append(')');
        }

        if (request.Filter is not null)
        {
            _sql.Append(" AND (");
            Append(request.Filter.Root);
            _sql.Append(')');
        }

        _sql.Append(" ORDER BY ");
        foreach (var ordering in request.OrderBy)
        {
            var expression = OrderExpression(ordering.Field);
            _sql.Append(expression).Append(" IS NULL, ").Append(expression).Append(ordering.Descending ? " DESC, " : " ASC, ");
        }

        _sql.Append("r.start_time DESC, r.run_id ASC LIMIT ").Append(Parameter((long)request.Limit))
            .Append(" OFFSET ").Append(Parameter((long)request.Offset));
    }

    private void Append(FilterNode node)
    {
        switch (node)
        {
            case AndFilter and:
                _sql.Append('(');
                Append(and.Left);
                _sql.Append(" AND ");
                Append(and.Right);
                _sql.Append(')');
                break;
            case OrFilter or:
                _sql.Append('(');
                Append(or.Left);
                _sql.Append(" OR ");
                Append(or.Right);
                _sql.Append(')');
                break;
            case FieldComparison comparison:
                AppendComparison(comparison);
                break;
            default:
                throw new InvalidOperationException($"Unknown filter node {node.GetType().Name}.");
        }
    }

    private void AppendComparison(FieldComparison c)
    {
        var key = c.Field.Key;
        switch (c.Field.Entity)
        {
            case FilterEntity.Metric:
                _sql.Append("EXISTS (SELECT 1 FROM metric_series s WHERE s.run_id = r.run_id AND s.key = ").Append(Parameter(key)).Append(" AND ");
                AppendPredicate("s.last_value", c);
                _sql.Append(')');
                break;
            case FilterEntity.Param or FilterEntity.Tag when c.Operator is ComparisonOperator.IsNull or ComparisonOperator.IsNotNull:
                _sql.Append(c.Operator == ComparisonOperator.IsNull ? "NOT EXISTS (SELECT 1 FROM " : "EXISTS (SELECT 1 FROM ")
                    .Append(c.Field.Entity == FilterEntity.Param ? "params x" : "tags x")
                    .Append(" WHERE x.run_id = r.run_id AND x.key = ").Append(Parameter(key)).Append(')');
                break;
            case FilterEntity.Param:
                _sql.Append("EXISTS (SELECT 1 FROM params p WHERE p.run_id = r.run_id AND p.key = ").Append(Parameter(key)).Append(" AND ");
                AppendPredicate(c.Value.Number is null ? "p.value" : "p.value_number", c);
                _sql.Append(')');
                break;
            case FilterEntity.Tag:
                _sql.Append("EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.run_id AND t.key = ").Append(Parameter(key)).Append(" AND ");
                AppendPredicate("t.value", c);
                _sql.Append(')');
                break;
            case FilterEntity.Dataset:
                _sql.Append("EXISTS (SELECT 1 FROM run_inputs i WHERE i.run_id = r.run_id AND ");
                AppendPredicate(key switch { "name" => "i.name", "digest" => "i.digest", _ => "i.context" }, c);
                _sql.Append(')');
                break;
            case FilterEntity.Attribute when key == RunAttributes.UserId:
                _sql.Append("EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.run_id AND t.key = ").Append(Parameter(RunAttributes.UserTag)).Append(" AND ");
                AppendPredicate("t.value", c);
                _sql.Append(')');
                break;
            default:
                AppendPredicate(AttributeColumn(key), c);
                break;
        }
    }

    private static string AttributeColumn(string key) => key switch
    {
        RunAttributes.ArtifactUri => "('" + RunAttributes.ArtifactUriPrefix + "' || r.run_id)",
        RunAttributes.RunId => "r.run_id",
        RunAttributes.RunName => "r.name",
        RunAttributes.ExperimentId => "CAST(r.experiment_id AS TEXT)",
        RunAttributes.Status => EffectiveStatus,
        RunAttributes.StartTime => "r.start_time",
        _ => EffectiveEndTime,
    };

    private void AppendPredicate(string column, FieldComparison c)
    {
        switch (c.Operator)
        {
            case ComparisonOperator.Like:
                _sql.Append(column).Append(" GLOB ").Append(Parameter(ToGlob(c.Value.Text!)));
                return;
            case ComparisonOperator.ILike:
                _sql.Append("mlops_ilike(").Append(column).Append(", ").Append(Parameter(c.Value.Text!)).Append(')');
                return;
            case ComparisonOperator.In or ComparisonOperator.NotIn:
                _sql.Append(column).Append(c.Operator == ComparisonOperator.In ? " IN (" : " NOT IN (");
                for (var i = 0; i < c.Value.List!.Count; i++)
                {
                    _sql.Append(i == 0 ? string.Empty : ", ").Append(Parameter(c.Value.List[i]));
                }

                _sql.Append(')');
                return;
        }

        var op = c.Operator switch
        {
            ComparisonOperator.Equal => " = ",
            ComparisonOperator.NotEqual => " != ",
            ComparisonOperator.Less => " < ",
            ComparisonOperator.LessOrEqual => " <= ",
            ComparisonOperator.Greater => " > ",
            _ => " >= ",
        };
        _sql.Append(column).Append(op).Append(c.Value.Number is { } number ? Parameter(number) : Parameter(c.Value.Text!));
    }

    private string OrderExpression(FilterField field) => field.Entity switch
    {
        FilterEntity.Metric => "(SELECT s.last_value FROM metric_series s WHERE s.run_id = r.run_id AND s.key = " + Parameter(field.Key) + ")",
        FilterEntity.Param => "(SELECT p.value FROM params p WHERE p.run_id = r.run_id AND p.key = " + Parameter(field.Key) + ")",
        FilterEntity.Tag => "(SELECT t.value FROM tags t WHERE t.run_id = r.run_id AND t.key = " + Parameter(field.Key) + ")",
        FilterEntity.Attribute when field.Key == RunAttributes.UserId => "(SELECT t.value FROM tags t WHERE t.run_id = r.run_id AND t.key = " + Parameter(RunAttributes.UserTag) + ")",
        FilterEntity.Attribute => field.Key == RunAttributes.ExperimentId ? "r.experiment_id" : AttributeColumn(field.Key),
        _ => throw new FilterSyntaxException(field.Key, 0, "runs cannot be ordered by dataset fields"),
    };

    private string Parameter(object value)
    {
        _parameters.Add(value);
        return "$p" + (_parameters.Count - 1).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>LIKE has no escape character; GLOB is case-sensitive like LIKE's contract, with its own metacharacters bracketed.</summary>
    internal static string ToGlob(string like)
    {
        var glob = new StringBuilder(like.Length + 8);
        foreach (var ch in like)
        {
            glob.Append(ch switch
            {
                '%' => "*",
                '_' => "?",
                '*' => "[*]",
                '?' => "[?]",
                '[' => "[[]",
                _ => ch.ToString(),
            });
        }

        return glob.ToString();
    }
}
