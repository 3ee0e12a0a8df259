using Xunit;

namespace MlOps.Sdk.Docs.Tests;

public sealed class DocSnippetTests
{
    public static TheoryData<string> Pages() => [.. DocPage.All()];

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryCSharpBlock_Compiles(string page)
    {
        var problems = SnippetCompiler.Problems(DocPage.Load(page));

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Pages_IncludeTheReadmeAndEveryDocsPage_AndTheyHoldBlocks()
    {
        var pages = DocPage.All().ToList();

        Assert.Contains("README.md", pages);
        Assert.Contains("docs/serving.md", pages);
        Assert.Contains("src/MlOps.Sdk/README.md", pages);
        Assert.True(pages.Sum(p => DocPage.Load(p).Blocks.Count) >= 8, "Fewer C# blocks than the docs hold: the fence parser misses some.");
    }

    [Fact]
    public void ABrokenBlock_IsReported_WithItsPageAndLine()
    {
        const string Markdown = """
            # Page

            ```csharp
            using MlOps.Sdk.Tracking;

            await using var run = await tracker.StartRunAsync("fraud");
            run.LogMetrc("auc", 0.97);
            ```
            """;

        var problems = SnippetCompiler.Problems(DocPage.Parse("docs/broken.md", Markdown));

        var problem = Assert.Single(problems);
        Assert.StartsWith("docs/broken.md:7: CS1061", problem, StringComparison.Ordinal);
        Assert.Contains("LogMetrc", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ANullableDereference_IsReported_AsAReaderWouldSeeIt()
    {
        const string Markdown = """
            ```csharp
            using MlOps.Sdk.Monitoring;

            var monitor = new DriftMonitor<Transaction>(ReferenceProfile.Build(trainingRows));
            await monitor.LastReport.SaveHtmlAsync("drift.html");
            ```
            """;

        var problems = SnippetCompiler.Problems(DocPage.Parse("docs/nullable.md", Markdown));

        Assert.Contains(problems, p => p.StartsWith("docs/nullable.md:5: CS8602", StringComparison.Ordinal));
    }

    [Fact]
    public void TypesDeclaredInOneBlock_AreSeenByTheNext_AndAMissingUsingIsReported()
    {
        const string Markdown = """
            ```csharp
            public sealed record Order(string Id, float Total);
            ```

            ```csharp
            var order = new Order("a", 1f);
            var query = new RunSearchQuery { Filter = $"params.order = '{order.Id}'" };
            ```
            """;

        var problems = SnippetCompiler.Problems(DocPage.Parse("docs/two.md", Markdown));

        var problem = Assert.Single(problems);
        Assert.StartsWith("docs/two.md:7: CS0246", problem, StringComparison.Ordinal);
    }
}
