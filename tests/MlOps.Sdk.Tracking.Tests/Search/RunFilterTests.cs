using MlOps.Sdk.Tracking.Search;
using Xunit;

namespace MlOps.Sdk.Tracking.Tests.Search;

public sealed class RunFilterTests
{
    [Fact]
    public void Parse_AndBindsTighterThanOr()
    {
        var filter = RunFilter.Parse("metrics.a > 1 OR metrics.b > 2 AND params.c = 'x'");

        var or = Assert.IsType<OrFilter>(filter.Root);
        Assert.IsType<FieldComparison>(or.Left);
        Assert.IsType<AndFilter>(or.Right);
    }

    [Fact]
    public void Parse_Parentheses_OverridePrecedence()
    {
        var filter = RunFilter.Parse("(metrics.a > 1 OR metrics.b > 2) AND params.c = 'x'");

        var and = Assert.IsType<AndFilter>(filter.Root);
        Assert.IsType<OrFilter>(and.Left);
    }

    [Theory]
    [InlineData("metrics.auc > 0.9", FilterEntity.Metric, "auc", ComparisonOperator.Greater)]
    [InlineData("metric.`my metric` <= -1e-3", FilterEntity.Metric, "my metric", ComparisonOperator.LessOrEqual)]
    [InlineData("params.\"learning rate\" = '0.1'", FilterEntity.Param, "learning rate", ComparisonOperator.Equal)]
    [InlineData("params.train.data LIKE 'x%'", FilterEntity.Param, "train.data", ComparisonOperator.Like)]
    [InlineData("tags.team ilike 'RISK'", FilterEntity.Tag, "team", ComparisonOperator.ILike)]
    [InlineData("attributes.status IN ('FINISHED', 'FAILED')", FilterEntity.Attribute, "status", ComparisonOperator.In)]
    [InlineData("run.name NOT IN ('a')", FilterEntity.Attribute, "run_name", ComparisonOperator.NotIn)]
    [InlineData("datasets.digest != 'x'", FilterEntity.Dataset, "digest", ComparisonOperator.NotEqual)]
    public void Parse_Comparison_ReadsFieldAndOperator(string text, FilterEntity entity, string key, ComparisonOperator op)
    {
        var comparison = Assert.IsType<FieldComparison>(RunFilter.Parse(text).Root);

        Assert.Equal(new FilterField(entity, key), comparison.Field);
        Assert.Equal(op, comparison.Operator);
    }

    [Fact]
    public void Parse_QuoteDoubledInsideString_IsOneQuote()
    {
        var comparison = Assert.IsType<FieldComparison>(RunFilter.Parse("params.owner = 'O''Brien'").Root);

        Assert.Equal("O'Brien", comparison.Value.Text);
    }

    [Theory]
    [InlineData("", 0, "empty")]
    [InlineData("metrics.auc LIKE 'x'", 12, "numeric")]
    [InlineData("tags.team > 'x'", 10, "text")]
    [InlineData("tags.team = 3", 12, "quoted string")]
    [InlineData("params.model LIKE 1", 18, "quoted string")]
    [InlineData("attributes.owner = 'x'", 0, "not a run attribute")]
    [InlineData("metrics.auc > 0.5 metrics.loss < 1", 18, "AND, OR")]
    [InlineData("metrics.auc > 1e999", 14, "finite")]
    [InlineData("params.x IN ()", 13, "quoted string")]
    [InlineData("params.x = 'a' \0", 15, "NUL")]
    public void Parse_Malformed_NamesPositionAndProblem(string text, int position, string problem)
    {
        var error = Assert.Throws<FilterSyntaxException>(() => RunFilter.Parse(text));

        Assert.Equal(position, error.Position);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Limits_AreTypedErrors()
    {
        var deep = new string('(', RunFilter.MaxDepth + 1) + "metrics.a > 1" + new string(')', RunFilter.MaxDepth + 1);
        var wide = string.Join(" OR ", Enumerable.Range(0, RunFilter.MaxComparisons + 1).Select(i => $"metrics.a > {i}"));
        var list = "params.a IN (" + string.Join(",", Enumerable.Range(0, RunFilter.MaxListLength + 1).Select(i => $"'{i}'")) + ")";

        Assert.Throws<FilterSyntaxException>(() => RunFilter.Parse(deep));
        Assert.Throws<FilterSyntaxException>(() => RunFilter.Parse(wide));
        Assert.Throws<FilterSyntaxException>(() => RunFilter.Parse(list));
        Assert.Throws<FilterSyntaxException>(() => RunFilter.Parse(new string(' ', RunFilter.MaxLength + 1)));
    }

    [Theory]
    [InlineData("metrics.auc DESC", FilterEntity.Metric, true)]
    [InlineData("params.model", FilterEntity.Param, false)]
    [InlineData("attributes.start_time asc", FilterEntity.Attribute, false)]
    public void ParseOrderBy_ReadsFieldAndDirection(string clause, FilterEntity entity, bool descending)
    {
        var ordering = Assert.Single(RunFilter.ParseOrderBy([clause]));

        Assert.Equal(entity, ordering.Field.Entity);
        Assert.Equal(descending, ordering.Descending);
    }

    [Theory]
    [InlineData("metrics.auc DOWN")]
    [InlineData("datasets.name")]
    [InlineData("")]
    public void ParseOrderBy_Malformed_Throws(string clause)
    {
        Assert.Throws<FilterSyntaxException>(() => RunFilter.ParseOrderBy([clause]));
    }

    [Theory]
    [InlineData("abc", "abc", false, true)]
    [InlineData("abc", "a%", false, true)]
    [InlineData("abc", "%c", false, true)]
    [InlineData("abc", "a_c", false, true)]
    [InlineData("abc", "A%", false, false)]
    [InlineData("abc", "A%", true, true)]
    [InlineData("a%b", "a%b", false, true)]
    [InlineData("ab", "a_c", false, false)]
    [InlineData("a😀c", "a_c", false, true)]
    [InlineData("", "%", false, true)]
    [InlineData("", "_", false, false)]
    [InlineData("aaa", "%a%a%a%", false, true)]
    public void LikePattern_MatchesAsDocumented(string value, string pattern, bool ignoreCase, bool expected)
    {
        Assert.Equal(expected, LikePattern.IsMatch(value, pattern, ignoreCase));
    }
}
