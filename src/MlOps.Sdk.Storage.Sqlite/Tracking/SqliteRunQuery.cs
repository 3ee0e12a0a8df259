using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using MlOps.Sdk.Tracking.Search;
using MlOps.Sdk.Tracking.Storage;

namespace MlOps.Sdk.Storage.Sqlite.Tracking;

/// <summary>
/// The search translation (<see cref="RunQuerySql"/>) in SQLite's words: <c>$p0</c>… parameters, <c>$now</c> the current
/// time, <c>GLOB</c> for LIKE, <c>mlops_ilike</c> for ILIKE, and <c>CROSS JOIN</c> to fix the join order when no equality
/// term gives the planner an estimate to start from.
/// </summary>
internal sealed class SqliteRunQuery : RunQuerySql
{
    protected override string Now => "$now";

    protected override string NotDeleted => "deleted = 0";

    public static bool UsesILike(FilterNode node) => node switch
    {
        AndFilter and => UsesILike(and.Left) || UsesILike(and.Right),
        OrFilter or => UsesILike(or.Left) || UsesILike(or.Right),
        FieldComparison c => c.Operator == ComparisonOperator.ILike,
        _ => false,
    };

    /// <summary>The queries of a search, to run in turn until the page is full: one, or the having and lacking phases.</summary>
    public static IEnumerable<Action<SqliteCommand, int>> Plan(RunSearchRequest request, long nowMs)
    {
        var conjuncts = request.Filter is null ? [] : Conjuncts(request.Filter.Root).ToList();
        foreach (var (phase, first) in Phases(request, conjuncts))
        {
            yield return (command, limit) =>
            {
                var query = new SqliteRunQuery();
                query.Build(request, conjuncts, phase, first, limit);
                command.CommandText = query.Text;
                command.Parameters.Clear();
                command.Parameters.AddWithValue("$now", nowMs);
                for (var i = 0; i < query.Parameters.Count; i++)
                {
                    command.Parameters.AddWithValue(query.ParameterName(i), query.Parameters[i]);
                }
            };
        }
    }

    protected override string ParameterName(int index) => "$p" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Without an equality on a param, tag, run id or name the planner has no estimate better than "a quarter of the
    /// rows" for what the filter keeps, and would read and sort them all: the order's index (or the runs' start-time
    /// index) leads instead, and the LIMIT stops the read after a page (CROSS JOIN fixes SQLite's join order).
    /// </summary>
    protected override string JoinKeyword(List<FilterNode> conjuncts) => conjuncts.Any(IsEqualityLookup) ? " JOIN " : " CROSS JOIN ";

    /// <summary>LIKE has no escape character; GLOB is case-sensitive like LIKE's contract. ILIKE is the connection's <c>mlops_ilike</c>.</summary>
    protected override void AppendLike(string column, string pattern, bool ignoreCase)
    {
        if (ignoreCase)
        {
            Sql.Append("mlops_ilike(").Append(column).Append(", ").Append(Parameter(pattern)).Append(')');
        }
        else
        {
            Sql.Append(column).Append(" GLOB ").Append(Parameter(ToGlob(pattern)));
        }
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
