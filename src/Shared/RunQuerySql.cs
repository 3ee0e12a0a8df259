using System.Globalization;
using System.Text;
using MlOps.Sdk.Tracking.Search;

namespace MlOps.Sdk.Tracking.Storage;

/// <summary>
/// Translates a parsed search into parameterised SELECTs over <c>runs r</c>, for the SQL stores; each derives the few
/// things its dialect writes differently. Every literal and key becomes a parameter; only fixed SQL fragments chosen by
/// the syntax tree's node types are written into the text.
/// </summary>
/// <remarks>
/// <para>The shapes let the planner start from the most selective index the search allows. The filter's top-level
/// conjuncts on metrics, params and tags become joins on their unique (run, key) rows, which the planner can either
/// drive from (the <c>(key, value)</c> indexes) or probe per run; dataset terms are lists of runs (a run has many
/// inputs); other terms (OR, IS NULL) are correlated probes. When the first order field is a metric, param or tag, a
/// search reads in two phases: the runs having the field, joined on it so its <c>(key, value)</c> index supplies the
/// order and a <c>LIMIT</c> stops the read early (terms on the same field test the joined row), then — only while the
/// page is not full — the runs lacking it.</para>
/// <para>Pages continue after the last run's sort key (keyset paging), so page k costs what page 1 does.</para>
/// </remarks>
internal abstract class RunQuerySql
{
    /// <summary>The most filter terms written as joins; the rest are probes (SQLite joins at most 64 tables; past <c>join_collapse_limit</c> PostgreSQL stops reordering).</summary>
    private const int MaxJoins = 8;

    private static readonly (string Start, string RunId) DefaultTail = ("r.start_time", "r.run_id");

    private readonly StringBuilder _sql = new();

    /// <summary>The columns of the order's last keys, start time descending then run id: the run's, or a joined tag's copy.</summary>
    private (string Start, string RunId) _tail = DefaultTail;

    /// <summary>Which runs of the first order field a phase reads.</summary>
    public enum Phase
    {
        /// <summary>All runs in one query (the first order field is not a metric, param or tag, or there is none).</summary>
        All,

        /// <summary>The runs having the first order field, in its index order.</summary>
        Having,

        /// <summary>The runs lacking it, which sort after the others in either direction.</summary>
        Lacking,
    }

    /// <summary>The top-level conjuncts of a filter: <c>a AND (b OR c) AND d</c> gives a, (b OR c) and d.</summary>
    public static IEnumerable<FilterNode> Conjuncts(FilterNode node) =>
        node is AndFilter and ? Conjuncts(and.Left).Concat(Conjuncts(and.Right)) : [node];

    /// <summary>The table and key holding a field's per-run value: metrics, params, tags and the user id (a tag).</summary>
    public static (string? Table, string Key) Lookup(FilterField field) => field.Entity switch
    {
        FilterEntity.Metric => ("metric_series", field.Key),
        FilterEntity.Param => ("params", field.Key),
        FilterEntity.Tag => ("tags", field.Key),
        FilterEntity.Attribute when field.Key == RunAttributes.UserId => ("tags", RunAttributes.UserTag),
        _ => default,
    };

    /// <summary>Whether a conjunct is a comparison on the run's row of <paramref name="lookup"/> (a join's ON clause can hold it).</summary>
    public static bool Folds(FilterNode node, (string? Table, string Key) lookup) =>
        node is FieldComparison { Operator: not (ComparisonOperator.IsNull or ComparisonOperator.IsNotNull) } c && Lookup(c.Field) == lookup;

    private static bool Joinable(FilterNode node) =>
        node is FieldComparison { Operator: not ComparisonOperator.IsNull } c && Lookup(c.Field).Table is not null;

    private static string ValueColumn(string table) => table == "metric_series" ? "last_value" : "value";

    /// <summary>In the having phase, the joined row <c>o</c> of the first order field, which terms on that field read.</summary>
    private (string? Table, string Key) _joinedFirst;

    public void Build(RunSearchRequest request, List<FilterNode> conjuncts, Phase phase, (string? Table, string Key) first, int limit)
    {
        _joinedFirst = phase == Phase.Having ? first : default;
        var join = JoinKeyword(conjuncts);
        _sql.Append("SELECT r.run_id, r.experiment_id, r.name, r.status, r.start_time, r.end_time, r.lease_expires_at FROM ");
        if (phase == Phase.Having)
        {
            _sql.Append(first.Table).Append(" o").Append(join).Append("runs r ON r.run_id = o.run_id AND o.key = ").Append(Parameter(first.Key))
                .Append(" AND o.").Append(ValueColumn(first.Table!)).Append(" IS NOT NULL");
            foreach (var c in conjuncts.Where(c => Folds(c, first)).Cast<FieldComparison>())
            {
                _sql.Append(" AND ");
                AppendPredicate(Column("o", c), c);
            }
        }
        else
        {
            _sql.Append("runs r");
        }

        var probes = new List<FilterNode>();
        var joins = 0;
        foreach (var conjunct in conjuncts)
        {
            if (phase == Phase.Having && Folds(conjunct, first))
            {
                continue;
            }

            if (joins == MaxJoins || !Joinable(conjunct))
            {
                probes.Add(conjunct);
                continue;
            }

            var c = (FieldComparison)conjunct;
            var (table, key) = Lookup(c.Field);
            var alias = "f" + joins++.ToString(CultureInfo.InvariantCulture);
            if (table == "tags" && c.Operator == ComparisonOperator.Equal && request.OrderBy.Count == 0 && _tail == DefaultTail)
            {
                // Tags keep their run's start time: (key, value, start time) gives the newest runs with a tag in order.
                _tail = (alias + ".start_time", alias + ".run_id");
            }

            _sql.Append(join).Append(table).Append(' ').Append(alias).Append(" ON ").Append(alias).Append(".run_id = r.run_id AND ")
                .Append(alias).Append(".key = ").Append(Parameter(key));
            if (c.Operator != ComparisonOperator.IsNotNull)
            {
                _sql.Append(" AND ");
                AppendPredicate(Column(alias, c), c);
            }
        }

        _sql.Append(" WHERE ");
        AppendExperiments(request.ExperimentIds);
        if (phase == Phase.Lacking)
        {
            _sql.Append(" AND NOT EXISTS (SELECT 1 FROM ").Append(first.Table).Append(" o WHERE o.run_id = r.run_id AND o.key = ").Append(Parameter(first.Key))
                .Append(" AND o.").Append(ValueColumn(first.Table!)).Append(" IS NOT NULL)");
        }

        foreach (var probe in probes)
        {
            _sql.Append(" AND ");
            Append(probe);
        }

        // The order keys this phase sorts on: the having phase's first is the joined value (never null), the lacking
        // phase has no first key (every run lacks it).
        var keys = new List<(string Expression, bool Nullable, bool Descending, RunSortValue After)>();
        for (var i = phase == Phase.Lacking ? 1 : 0; i < request.OrderBy.Count; i++)
        {
            var ordering = request.OrderBy[i];
            var after = request.After?.Values[i] ?? RunSortValue.Missing;
            keys.Add(i == 0 && phase == Phase.Having
                ? ("o." + ValueColumn(first.Table!), false, ordering.Descending, after)
                : (OrderExpression(ordering.Field), Nullable(ordering.Field), ordering.Descending, after));
        }

        if (request.After is { } position && !(phase == Phase.Lacking && !position.Values[0].IsMissing))
        {
            if (keys.Count > 0 && phase == Phase.Having)
            {
                // Redundant with the keyset term below, but a plain range the index can start from.
                _sql.Append(" AND ").Append(keys[0].Expression).Append(keys[0].Descending ? " <= " : " >= ").Append(Parameter(Literal(keys[0].After)));
            }

            _sql.Append(" AND ");
            AppendAfter(keys, 0, position);
        }

        _sql.Append(" ORDER BY ");
        foreach (var (expression, nullable, descending, _) in keys)
        {
            if (nullable)
            {
                _sql.Append(expression).Append(" IS NULL, ");
            }

            _sql.Append(expression).Append(descending ? " DESC, " : " ASC, ");
        }

        _sql.Append(_tail.Start).Append(" DESC, ").Append(_tail.RunId).Append(" ASC LIMIT ").Append(Parameter((long)limit));
    }

    /// <summary>
    /// Rows strictly after <paramref name="position"/> in the order of <paramref name="keys"/>, then start time descending
    /// and run id: each key either places the row after the position's value (a missing value sorts last) or ties and
    /// passes to the next.
    /// </summary>
    private void AppendAfter(List<(string Expression, bool Nullable, bool Descending, RunSortValue After)> keys, int index, RunSortKey position)
    {
        if (index == keys.Count)
        {
            var start = Parameter(position.StartTime.ToUnixTimeMilliseconds());
            _sql.Append('(').Append(_tail.Start).Append(" < ").Append(start).Append(" OR (").Append(_tail.Start).Append(" = ").Append(start)
                .Append(" AND ").Append(_tail.RunId).Append(" > ").Append(Parameter(position.RunId)).Append("))");
            return;
        }

        var (expression, nullable, descending, after) = keys[index];
        if (after.IsMissing)
        {
            // Only rows also lacking the field tie with the position; none comes after it on this key.
            _sql.Append('(').Append(expression).Append(" IS NULL AND ");
            AppendAfter(keys, index + 1, position);
            _sql.Append(')');
            return;
        }

        var value = Parameter(Literal(after));
        _sql.Append('(');
        if (nullable)
        {
            _sql.Append(expression).Append(" IS NULL OR ");
        }

        _sql.Append(expression).Append(descending ? " < " : " > ").Append(value).Append(" OR (").Append(expression).Append(" = ").Append(value).Append(" AND ");
        AppendAfter(keys, index + 1, position);
        _sql.Append("))");
    }

    private static object Literal(RunSortValue value) => value.Number is { } number ? number : value.Text!;

    private static bool Nullable(FilterField field) =>
        Lookup(field).Table is not null || (field.Entity == FilterEntity.Attribute && field.Key == RunAttributes.EndTime);

    /// <summary>The column of a joined row <paramref name="alias"/> a comparison reads.</summary>
    private static string Column(string alias, FieldComparison c) => c.Field.Entity switch
    {
        FilterEntity.Metric => alias + ".last_value",
        FilterEntity.Param when c.Value.Number is not null => alias + ".value_number",
        _ => alias + ".value",
    };

    private void AppendExperiments(IReadOnlyList<string> experimentIds)
    {
        if (experimentIds.Count == 0)
        {
            _sql.Append("r.experiment_id IN (SELECT experiment_id FROM experiments WHERE " + NotDeleted + ")");
            return;
        }

        _sql.Append("r.experiment_id IN (");
        for (var i = 0; i < experimentIds.Count; i++)
        {
            _sql.Append(i == 0 ? string.Empty : ", ").Append(Parameter(long.TryParse(experimentIds[i], CultureInfo.InvariantCulture, out var id) ? id : -1L));
        }

        _sql.Append(')');
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
        if (_joinedFirst.Table is not null && Lookup(c.Field) == _joinedFirst)
        {
            // The run's row of this field is joined already, and present: test it rather than probe for it again.
            switch (c.Operator)
            {
                case ComparisonOperator.IsNull:
                    _sql.Append("FALSE");
                    return;
                case ComparisonOperator.IsNotNull:
                    _sql.Append("TRUE");
                    return;
                default:
                    AppendPredicate(Column("o", c), c);
                    return;
            }
        }

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
                // A run has many inputs, so no join: the runs of the matching inputs, a list the planner can start from
                // (the name and digest indexes) or probe.
                _sql.Append("r.run_id IN (SELECT i.run_id FROM run_inputs i WHERE ");
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

    private string AttributeColumn(string key) => key switch
    {
        RunAttributes.ArtifactUri => "('" + RunAttributes.ArtifactUriPrefix + "' || r.run_id)",
        RunAttributes.RunId => "r.run_id",
        RunAttributes.RunName => "r.name",
        RunAttributes.ExperimentId => "CAST(r.experiment_id AS TEXT)",
        RunAttributes.Status => $"(CASE WHEN r.status = 'RUNNING' AND r.lease_expires_at < {Now} THEN 'KILLED' ELSE r.status END)",
        RunAttributes.StartTime => "r.start_time",
        _ => $"(CASE WHEN r.status = 'RUNNING' THEN (CASE WHEN r.lease_expires_at < {Now} THEN r.lease_expires_at END) ELSE r.end_time END)",
    };

    private void AppendPredicate(string column, FieldComparison c)
    {
        switch (c.Operator)
        {
            case ComparisonOperator.Like or ComparisonOperator.ILike:
                AppendLike(column, c.Value.Text!, ignoreCase: c.Operator == ComparisonOperator.ILike);
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

    /// <summary>Adds a parameter and returns its placeholder.</summary>
    protected string Parameter(object value)
    {
        Parameters.Add(value);
        return ParameterName(Parameters.Count - 1);
    }

    /// <summary>The parameters' values, in the order their placeholders were written.</summary>
    public List<object> Parameters { get; } = [];

    /// <summary>The query's text.</summary>
    public string Text => _sql.ToString();

    /// <summary>The placeholder of the current time (Unix milliseconds), which the caller binds.</summary>
    protected abstract string Now { get; }

    /// <summary>The condition of an experiment that is not deleted.</summary>
    protected abstract string NotDeleted { get; }

    /// <summary>The text written so far, which the dialect's pieces append to.</summary>
    protected StringBuilder Sql => _sql;

    /// <summary>The placeholder of parameter <paramref name="index"/> (from 0) of <see cref="Parameters"/>.</summary>
    protected abstract string ParameterName(int index);

    /// <summary>How the query joins the runs to the rows of its terms (a dialect may fix the join order).</summary>
    protected abstract string JoinKeyword(List<FilterNode> conjuncts);

    /// <summary>Writes <c>column LIKE pattern</c> (<c>ILIKE</c> when <paramref name="ignoreCase"/>) as the filter language defines it: no escape character.</summary>
    protected abstract void AppendLike(string column, string pattern, bool ignoreCase);

    /// <summary>Whether a conjunct is an equality (or IN list) on a param, tag, dataset, run id or name: one the planner can estimate and start from.</summary>
    protected static bool IsEqualityLookup(FilterNode node) =>
        node is FieldComparison { Operator: ComparisonOperator.Equal or ComparisonOperator.In } c
        && (c.Field.Entity is FilterEntity.Param or FilterEntity.Tag or FilterEntity.Dataset
            || (c.Field.Entity == FilterEntity.Attribute && c.Field.Key is RunAttributes.RunId or RunAttributes.RunName or RunAttributes.UserId));

    /// <summary>The phases a search reads, in turn until the page is full: all runs, or the having and lacking phases of its first order field.</summary>
    public static IEnumerable<(Phase Phase, (string? Table, string Key) First)> Phases(RunSearchRequest request, List<FilterNode> conjuncts)
    {
        ArgumentNullException.ThrowIfNull(request);
        var first = request.OrderBy.Count > 0 && Lookup(request.OrderBy[0].Field) is { } lookup ? lookup : default;
        if (first.Table is null)
        {
            yield return (Phase.All, default);
            yield break;
        }

        // A page that ended among the runs lacking the field continues there.
        if (!(request.After is { } after && after.Values[0].IsMissing))
        {
            yield return (Phase.Having, first);
        }

        // A conjunct on the first order field holds only for runs having it: the lacking phase would find nothing.
        if (!conjuncts.Any(c => Folds(c, first)))
        {
            yield return (Phase.Lacking, first);
        }
    }
}
