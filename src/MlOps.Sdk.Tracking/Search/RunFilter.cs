using System.Globalization;

namespace MlOps.Sdk.Tracking.Search;

/// <summary>
/// A parsed run filter: a superset of MLflow's <c>search_runs</c> syntax that adds <c>OR</c> and parentheses.
/// </summary>
/// <remarks>
/// <para>Terms: <c>metrics.KEY op NUMBER</c>; <c>params.KEY op 'text'</c> or <c>params.KEY op NUMBER</c> (numeric:
/// params whose text is a number compare as numbers); <c>tags.KEY op 'text'</c>; <c>params.KEY IS [NOT] NULL</c> and
/// <c>tags.KEY IS [NOT] NULL</c>; <c>attributes.run_id|run_name|experiment_id|status|user_id|artifact_uri op 'text'</c>;
/// <c>attributes.start_time|end_time op NUMBER</c> (Unix milliseconds); <c>datasets.name|digest|context op 'text'</c>.</para>
/// <para>Text operators: <c>= != LIKE ILIKE IN NOT IN</c>; numeric operators: <c>= != &lt; &lt;= &gt; &gt;=</c>. Keys with spaces are quoted with
/// <c>"</c> or <c>`</c>, and so can the entity (<c>`metrics`.auc</c>); strings use <c>'</c> or <c>"</c> (a quote is doubled to
/// escape it), never <c>`</c>. <c>AND</c> binds tighter than <c>OR</c>. Order clauses take no leading or trailing white space.</para>
/// <para>A run lacking the field of a term never matches that term, and a NaN metric matches no comparison.</para>
/// </remarks>
public sealed class RunFilter
{
    /// <summary>The longest filter accepted, in characters.</summary>
    public const int MaxLength = 8_000;

    /// <summary>The most comparisons one filter may hold.</summary>
    public const int MaxComparisons = 200;

    /// <summary>The deepest nesting of parentheses accepted.</summary>
    public const int MaxDepth = 32;

    /// <summary>The most values of one <c>IN</c> list.</summary>
    public const int MaxListLength = 500;

    /// <summary>The most order clauses one search may give.</summary>
    public const int MaxOrderByClauses = 20;

    private RunFilter(FilterNode root, string text)
    {
        Root = root;
        Text = text;
    }

    /// <summary>The root of the syntax tree.</summary>
    public FilterNode Root { get; }

    /// <summary>The filter as written.</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="filter"/>.</summary>
    /// <exception cref="FilterSyntaxException">The filter is malformed; the error names the position.</exception>
    public static RunFilter Parse(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Length > MaxLength)
        {
            throw new FilterSyntaxException(filter, MaxLength, $"the filter is longer than {MaxLength} characters");
        }

        var parser = new FilterParser(filter, FilterTokenizer.Tokenize(filter));
        return new RunFilter(parser.ParseFilter(), filter);
    }

    /// <summary>Parses order clauses such as <c>metrics.auc DESC</c> or <c>attributes.start_time</c>.</summary>
    /// <exception cref="FilterSyntaxException">A clause is malformed.</exception>
    public static IReadOnlyList<RunOrdering> ParseOrderBy(IEnumerable<string> clauses)
    {
        ArgumentNullException.ThrowIfNull(clauses);
        var result = new List<RunOrdering>();
        foreach (var clause in clauses)
        {
            ArgumentNullException.ThrowIfNull(clause);
            if (result.Count == MaxOrderByClauses)
            {
                throw new MlOpsValidationException($"A search takes at most {MaxOrderByClauses} order clauses.");
            }

            if (clause.Length > MaxLength)
            {
                throw new FilterSyntaxException(clause, MaxLength, $"the order clause is longer than {MaxLength} characters");
            }

            if (clause.Length != clause.Trim().Length)
            {
                // As MLflow: 'params.p ' is refused, so that a clause means one thing everywhere.
                throw new FilterSyntaxException(clause, char.IsWhiteSpace(clause[0]) ? 0 : clause.TrimEnd().Length, "the order clause has leading or trailing white space");
            }

            var parser = new FilterParser(clause, FilterTokenizer.Tokenize(clause));
            result.Add(parser.ParseOrdering());
        }

        return result;
    }

    /// <summary>Evaluates the filter on a run, with the same meaning every storage provider must give it.</summary>
    public bool Matches(Run run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Evaluate(Root, run);
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private static bool Evaluate(FilterNode node, Run run) => node switch
    {
        AndFilter and => Evaluate(and.Left, run) && Evaluate(and.Right, run),
        OrFilter or => Evaluate(or.Left, run) || Evaluate(or.Right, run),
        FieldComparison c => Compare(c, run),
        _ => throw new InvalidOperationException($"Unknown filter node {node.GetType().Name}."),
    };

    private static bool Compare(FieldComparison c, Run run)
    {
        switch (c.Field.Entity)
        {
            case FilterEntity.Metric:
                return run.Metrics.TryGetValue(c.Field.Key, out var metric) && CompareNumber(metric.Value, c);
            case FilterEntity.Param when c.Operator is ComparisonOperator.IsNull or ComparisonOperator.IsNotNull:
                return run.Params.ContainsKey(c.Field.Key) == (c.Operator == ComparisonOperator.IsNotNull);
            case FilterEntity.Tag when c.Operator is ComparisonOperator.IsNull or ComparisonOperator.IsNotNull:
                return run.Tags.ContainsKey(c.Field.Key) == (c.Operator == ComparisonOperator.IsNotNull);
            case FilterEntity.Param:
                if (!run.Params.TryGetValue(c.Field.Key, out var param))
                {
                    return false;
                }

                return c.Value.Number is null ? CompareText(param, c) : ParamNumber.TryParse(param, out var n) && CompareNumber(n, c);
            case FilterEntity.Tag:
                return run.Tags.TryGetValue(c.Field.Key, out var tag) && CompareText(tag, c);
            case FilterEntity.Dataset:
                foreach (var input in run.Inputs)
                {
                    var value = c.Field.Key switch
                    {
                        "name" => input.Name,
                        "digest" => input.Digest.ToString(),
                        _ => input.Context,
                    };
                    if (CompareText(value, c))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return CompareAttribute(c, run);
        }
    }

    private static bool CompareAttribute(FieldComparison c, Run run) => c.Field.Key switch
    {
        RunAttributes.UserId => run.Tags.TryGetValue(RunAttributes.UserTag, out var user) && CompareText(user, c),
        RunAttributes.ArtifactUri => CompareText(RunAttributes.ArtifactUriPrefix + run.Info.RunId, c),
        _ => CompareAttribute(c, run.Info),
    };

    private static bool CompareAttribute(FieldComparison c, RunInfo info) => c.Field.Key switch
    {
        RunAttributes.RunId => CompareText(info.RunId, c),
        RunAttributes.RunName => CompareText(info.Name, c),
        RunAttributes.ExperimentId => CompareText(info.ExperimentId, c),
        RunAttributes.Status => CompareText(StatusText(info.Status), c),
        RunAttributes.StartTime => CompareNumber(info.StartTime.ToUnixTimeMilliseconds(), c),
        _ => info.EndTime is { } end && CompareNumber(end.ToUnixTimeMilliseconds(), c),
    };

    /// <summary>The upper-case name a status has in filters.</summary>
    public static string StatusText(RunStatus status) => status switch
    {
        RunStatus.Running => "RUNNING",
        RunStatus.Finished => "FINISHED",
        RunStatus.Failed => "FAILED",
        _ => "KILLED",
    };

    private static bool CompareNumber(double value, FieldComparison c)
    {
        var target = c.Value.Number!.Value;
        if (double.IsNaN(value))
        {
            return false;
        }

        return c.Operator switch
        {
            ComparisonOperator.Equal => value == target,
            ComparisonOperator.NotEqual => value != target,
            ComparisonOperator.Less => value < target,
            ComparisonOperator.LessOrEqual => value <= target,
            ComparisonOperator.Greater => value > target,
            _ => value >= target,
        };
    }

    private static bool CompareText(string value, FieldComparison c) => c.Operator switch
    {
        ComparisonOperator.Equal => string.Equals(value, c.Value.Text, StringComparison.Ordinal),
        ComparisonOperator.NotEqual => !string.Equals(value, c.Value.Text, StringComparison.Ordinal),
        ComparisonOperator.Like => LikePattern.IsMatch(value, c.Value.Text!, ignoreCase: false),
        ComparisonOperator.ILike => LikePattern.IsMatch(value, c.Value.Text!, ignoreCase: true),
        ComparisonOperator.In => c.Value.List!.Contains(value, StringComparer.Ordinal),
        ComparisonOperator.NotIn => !c.Value.List!.Contains(value, StringComparer.Ordinal),
        _ => throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Operator {c.Operator} does not apply to text.")),
    };
}
