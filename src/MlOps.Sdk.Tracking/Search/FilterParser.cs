using System.Globalization;

namespace MlOps.Sdk.Tracking.Search;

/// <summary>Recursive descent over the tokens: <c>or := and (OR and)*; and := term (AND term)*; term := '(' or ')' | comparison</c>.</summary>
internal sealed class FilterParser(string text, List<FilterToken> tokens)
{
    private int _index;
    private int _depth;
    private int _comparisons;

    private FilterToken Current => tokens[_index];

    public FilterNode ParseFilter()
    {
        if (Current.Kind == FilterTokenKind.End)
        {
            throw Error(Current, "the filter is empty; pass no filter to match every run");
        }

        var node = ParseOr();
        if (Current.Kind != FilterTokenKind.End)
        {
            throw Error(Current, $"expected AND, OR or the end of the filter, found '{Current.Text}'");
        }

        return node;
    }

    public RunOrdering ParseOrdering()
    {
        var fieldToken = Current;
        var field = ParseField();
        if (field.Entity == FilterEntity.Dataset)
        {
            throw Error(fieldToken, "runs cannot be ordered by dataset fields");
        }

        var descending = false;
        if (IsKeyword(Current, "DESC"))
        {
            descending = true;
            _index++;
        }
        else if (IsKeyword(Current, "ASC"))
        {
            _index++;
        }

        if (Current.Kind != FilterTokenKind.End)
        {
            throw Error(Current, $"expected ASC, DESC or the end of the order clause, found '{Current.Text}'");
        }

        return new RunOrdering(field, descending);
    }

    private FilterNode ParseOr()
    {
        var left = ParseAnd();
        while (IsKeyword(Current, "OR"))
        {
            _index++;
            left = new OrFilter(left, ParseAnd());
        }

        return left;
    }

    private FilterNode ParseAnd()
    {
        var left = ParseTerm();
        while (IsKeyword(Current, "AND"))
        {
            _index++;
            left = new AndFilter(left, ParseTerm());
        }

        return left;
    }

    private FilterNode ParseTerm()
    {
        if (Current.Kind == FilterTokenKind.LeftParen)
        {
            var open = Current;
            if (++_depth > RunFilter.MaxDepth)
            {
                throw Error(open, $"parentheses are nested deeper than {RunFilter.MaxDepth}");
            }

            _index++;
            var inner = ParseOr();
            if (Current.Kind != FilterTokenKind.RightParen)
            {
                throw Error(Current, $"expected ')' to close the '(' at position {open.Position}, found {Describe(Current)}");
            }

            _index++;
            _depth--;
            return inner;
        }

        return ParseComparison();
    }

    private FieldComparison ParseComparison()
    {
        var fieldToken = Current;
        if (++_comparisons > RunFilter.MaxComparisons)
        {
            throw Error(fieldToken, $"the filter has more than {RunFilter.MaxComparisons} comparisons");
        }

        var field = ParseField();
        var opToken = Current;
        if (IsKeyword(opToken, "IS"))
        {
            return ParseNullTest(field, opToken);
        }

        var op = ParseOperator();
        var valueToken = Current;
        var literal = op is ComparisonOperator.In or ComparisonOperator.NotIn ? ParseList() : ParseScalar();
        Check(field, op, literal, opToken, valueToken);
        return new FieldComparison(field, op, literal);
    }

    /// <summary><c>IS NULL</c> and <c>IS NOT NULL</c>, which MLflow allows on params and tags only.</summary>
    private FieldComparison ParseNullTest(FilterField field, FilterToken isToken)
    {
        _index++;
        var op = ComparisonOperator.IsNull;
        if (IsKeyword(Current, "NOT"))
        {
            op = ComparisonOperator.IsNotNull;
            _index++;
        }

        if (!IsKeyword(Current, "NULL"))
        {
            throw Error(Current, $"expected NULL or NOT NULL after IS, found {Describe(Current)}");
        }

        _index++;
        if (field.Entity is not (FilterEntity.Param or FilterEntity.Tag))
        {
            throw Error(isToken, "IS NULL / IS NOT NULL is only supported for tags and params");
        }

        return new FieldComparison(field, op, FilterLiteral.None);
    }

    private FilterField ParseField()
    {
        var entityToken = Current;
        string prefix;
        string? inlineKey;
        if (entityToken.Kind is FilterTokenKind.QuotedIdentifier or FilterTokenKind.BacktickIdentifier)
        {
            // `metric`.a: a quoted entity is one word, followed by '.' and the key.
            (prefix, inlineKey) = (entityToken.Text, null);
        }
        else if (entityToken.Kind == FilterTokenKind.Identifier)
        {
            (prefix, inlineKey) = SplitIdentifier(entityToken.Text);
        }
        else
        {
            throw Error(entityToken, $"expected a field such as metrics.auc or params.model, found {Describe(entityToken)}");
        }

        var entity = prefix.ToUpperInvariant() switch
        {
            "METRIC" or "METRICS" => FilterEntity.Metric,
            "PARAM" or "PARAMS" or "PARAMETER" or "PARAMETERS" => FilterEntity.Param,
            "TAG" or "TAGS" => FilterEntity.Tag,
            "ATTRIBUTE" or "ATTRIBUTES" or "ATTR" or "RUN" => FilterEntity.Attribute,
            "DATASET" or "DATASETS" => FilterEntity.Dataset,
            _ => throw Error(entityToken, $"'{prefix}' is not a field type; use metrics., params., tags., attributes. or datasets."),
        };
        _index++;

        string key;
        if (!string.IsNullOrEmpty(inlineKey))
        {
            key = inlineKey;
        }
        else
        {
            if (inlineKey is null)
            {
                if (Current.Kind != FilterTokenKind.Dot)
                {
                    throw Error(Current, $"expected '.' and a key after '{prefix}'");
                }

                _index++;
            }

            if (Current.Kind is not (FilterTokenKind.Identifier or FilterTokenKind.QuotedIdentifier or FilterTokenKind.BacktickIdentifier or FilterTokenKind.String))
            {
                throw Error(Current, $"expected a key after '{prefix}.', found {Describe(Current)}");
            }

            key = Current.Text;
            _index++;
        }

        return Validate(entity, key, entityToken);
    }

    private FilterField Validate(FilterEntity entity, string key, FilterToken at)
    {
        if (key.Length == 0)
        {
            throw Error(at, "the key is empty");
        }

        switch (entity)
        {
            case FilterEntity.Attribute:
                key = key.ToLowerInvariant();
                if (key is "name" or "runname" or "run_name")
                {
                    key = RunAttributes.RunName;
                }
                else if (key is "id" or "runid")
                {
                    key = RunAttributes.RunId;
                }

                if (!RunAttributes.IsKnown(key))
                {
                    throw Error(at, $"'{key}' is not a run attribute; use run_id, run_name, experiment_id, status, start_time, end_time, user_id or artifact_uri");
                }

                break;
            case FilterEntity.Dataset:
                key = key.ToLowerInvariant();
                if (key is not ("name" or "digest" or "context"))
                {
                    throw Error(at, $"'{key}' is not a dataset field; use name, digest or context");
                }

                break;
        }

        return new FilterField(entity, key);
    }

    private static (string Prefix, string? Key) SplitIdentifier(string identifier)
    {
        var dot = identifier.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? (identifier, null) : (identifier[..dot], identifier[(dot + 1)..]);
    }

    private ComparisonOperator ParseOperator()
    {
        var token = Current;
        _index++;
        if (token.Kind == FilterTokenKind.Operator)
        {
            return token.Text switch
            {
                "=" => ComparisonOperator.Equal,
                "!=" => ComparisonOperator.NotEqual,
                "<" => ComparisonOperator.Less,
                "<=" => ComparisonOperator.LessOrEqual,
                ">" => ComparisonOperator.Greater,
                ">=" => ComparisonOperator.GreaterOrEqual,
                _ => throw Error(token, $"'{token.Text}' is not an operator; use =, !=, <, <=, >, >=, LIKE, ILIKE, IN or NOT IN"),
            };
        }

        if (IsKeyword(token, "LIKE"))
        {
            return ComparisonOperator.Like;
        }

        if (IsKeyword(token, "ILIKE"))
        {
            return ComparisonOperator.ILike;
        }

        if (IsKeyword(token, "IN"))
        {
            return ComparisonOperator.In;
        }

        if (IsKeyword(token, "NOT") && IsKeyword(Current, "IN"))
        {
            _index++;
            return ComparisonOperator.NotIn;
        }

        throw Error(token, $"expected a comparison operator, found {Describe(token)}");
    }

    private FilterLiteral ParseScalar()
    {
        var token = Current;
        _index++;
        return token.Kind switch
        {
            FilterTokenKind.Number => FilterLiteral.FromNumber(double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture)),
            FilterTokenKind.String or FilterTokenKind.QuotedIdentifier => FilterLiteral.FromText(token.Text),
            FilterTokenKind.BacktickIdentifier => throw Error(token, "a value in backticks is a key, not a string; quote values with ' or \""),
            _ => throw Error(token, $"expected a number or a quoted string, found {Describe(token)}"),
        };
    }

    private FilterLiteral ParseList()
    {
        if (Current.Kind != FilterTokenKind.LeftParen)
        {
            throw Error(Current, $"expected '(' to start the list, found {Describe(Current)}");
        }

        _index++;
        var values = new List<string>();
        while (true)
        {
            var token = Current;
            if (token.Kind is not (FilterTokenKind.String or FilterTokenKind.QuotedIdentifier))
            {
                throw Error(token, token.Kind == FilterTokenKind.BacktickIdentifier
                    ? "a value in backticks is a key, not a string; quote values with ' or \""
                    : $"expected a quoted string in the list, found {Describe(token)}");
            }

            values.Add(token.Text);
            if (values.Count > RunFilter.MaxListLength)
            {
                throw Error(token, $"the list has more than {RunFilter.MaxListLength} values");
            }

            _index++;
            if (Current.Kind == FilterTokenKind.Comma)
            {
                _index++;
                continue;
            }

            if (Current.Kind == FilterTokenKind.RightParen)
            {
                _index++;
                return FilterLiteral.FromList(values);
            }

            throw Error(Current, $"expected ',' or ')' in the list, found {Describe(Current)}");
        }
    }

    private void Check(FilterField field, ComparisonOperator op, FilterLiteral literal, FilterToken opToken, FilterToken valueToken)
    {
        var numericField = field.Entity == FilterEntity.Metric || (field.Entity == FilterEntity.Attribute && RunAttributes.IsTime(field.Key));
        var textOperator = op is ComparisonOperator.Like or ComparisonOperator.ILike or ComparisonOperator.In or ComparisonOperator.NotIn;
        var name = $"{field.Entity.ToString().ToLowerInvariant()}s.{field.Key}";

        if (numericField)
        {
            if (textOperator)
            {
                throw Error(opToken, $"{name} is numeric; use =, !=, <, <=, > or >=");
            }

            if (literal.Number is null)
            {
                throw Error(valueToken, $"{name} is numeric; compare it with a number");
            }

            return;
        }

        if (literal.Number is not null)
        {
            if (textOperator)
            {
                throw Error(valueToken, $"{op.ToString().ToUpperInvariant()} compares text; give a quoted string");
            }

            if (field.Entity != FilterEntity.Param)
            {
                throw Error(valueToken, $"{name} is text; compare it with a quoted string");
            }

            return;
        }

        if (!textOperator && op is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual))
        {
            throw Error(opToken, $"{name} is text; use =, !=, LIKE, ILIKE, IN or NOT IN (params compare as numbers only with a number)");
        }
    }

    private static bool IsKeyword(FilterToken token, string keyword) =>
        token.Kind == FilterTokenKind.Identifier && string.Equals(token.Text, keyword, StringComparison.OrdinalIgnoreCase);

    private static string Describe(FilterToken token) => token.Kind == FilterTokenKind.End ? "the end of the filter" : $"'{token.Text}'";

    private FilterSyntaxException Error(FilterToken token, string problem) => new(text, token.Position, problem);
}
