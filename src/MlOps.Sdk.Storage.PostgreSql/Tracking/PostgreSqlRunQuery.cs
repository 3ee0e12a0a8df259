using System.Globalization;
using MlOps.Sdk.Tracking.Search;
using MlOps.Sdk.Tracking.Storage;
using Npgsql;

namespace MlOps.Sdk.Storage.PostgreSql.Tracking;

/// <summary>The search translation (<see cref="RunQuerySql"/>) in PostgreSQL's words: positional parameters (<c>$1</c> is the current time).</summary>
internal sealed class PostgreSqlRunQuery : RunQuerySql
{
    protected override string Now => "$1";

    protected override string NotDeleted => "NOT deleted";

    /// <summary>The queries of a search, to run in turn until the page is full: one, or the having and lacking phases.</summary>
    public static IEnumerable<Action<NpgsqlCommand, int>> Plan(RunSearchRequest request, long nowMs)
    {
        var conjuncts = request.Filter is null ? [] : Conjuncts(request.Filter.Root).ToList();
        foreach (var (phase, first) in Phases(request, conjuncts))
        {
            yield return (command, limit) =>
            {
                var query = new PostgreSqlRunQuery();
                query.Build(request, conjuncts, phase, first, limit);
                command.CommandText = query.Text;
                command.Parameters.Clear();
                command.Parameters.Add(new NpgsqlParameter { Value = nowMs });
                foreach (var value in query.Parameters)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = value });
                }
            };
        }
    }

    protected override string ParameterName(int index) => "$" + (index + 2).ToString(CultureInfo.InvariantCulture);

    /// <summary>PostgreSQL's planner orders the joins by its estimates.</summary>
    protected override string JoinKeyword(List<FilterNode> conjuncts) => " JOIN ";

    protected override void AppendLike(string column, string pattern, bool ignoreCase)
    {
        if (ignoreCase)
        {
            // Upper case by Unicode (ICU's root locale), as the filter language's ILIKE compares; "C" would fold ASCII only.
            Sql.Append("upper(").Append(column).Append(" COLLATE \"und-x-icu\") LIKE upper(").Append(Parameter(pattern)).Append(" COLLATE \"und-x-icu\") ESCAPE ''");
        }
        else
        {
            Sql.Append(column).Append(" LIKE ").Append(Parameter(pattern)).Append(" ESCAPE ''");
        }
    }
}
