using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MlOps.Sdk.Docs.Tests;

/// <summary>
/// Compiles a page's C# blocks as a reader would paste them into a console app (<c>dotnet new console</c>: its implicit
/// usings, nullable on) that references the packages. A block's statements become the body of an async method of its
/// own; its type declarations and using directives stay as written, and every block of a page sees the types the others
/// declare. The names the docs take as given (<c>services</c>, <c>tracker</c>, <c>Transaction</c>, ...) come from
/// <see cref="Context.Ambient"/> and <see cref="Context.Transaction"/>.
/// </summary>
public static class SnippetCompiler
{
    private static readonly string[] ConsoleAppUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => MetadataReference.CreateFromFile(p))]);

    /// <summary>The errors (and warnings a console app shows by default) of compiling <paramref name="page"/>'s blocks, as <c>page:line: message</c>.</summary>
    public static IReadOnlyList<string> Problems(DocPage page)
    {
        var trees = new List<SyntaxTree> { Prelude() };
        var origins = new Dictionary<SyntaxTree, CodeBlock>();
        for (var i = 0; i < page.Blocks.Count; i++)
        {
            var tree = Wrap(page.Blocks[i], i);
            trees.Add(tree);
            origins[tree] = page.Blocks[i];
        }

        var compilation = CSharpCompilation.Create(
            "Snippets",
            trees,
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        return [.. compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && d.WarningLevel <= 1 && d.Id != "CS8019"))
            .Where(d => d.Location.SourceTree is { } t && origins.ContainsKey(t))
            .Select(d => Describe(d, origins[d.Location.SourceTree!]))];
    }

    private static SyntaxTree Prelude() => CSharpSyntaxTree.ParseText(
        string.Concat(ConsoleAppUsings.Select(u => $"global using global::{u};\n")) +
        "global using static MlOps.Sdk.Docs.Tests.Context.Ambient;\nglobal using MlOps.Sdk.Docs.Tests.Context;\n",
        Parse,
        path: "prelude.cs");

    /// <summary>Keeps a block's usings and types; moves its statements into a method, line for line.</summary>
    private static SyntaxTree Wrap(CodeBlock block, int index)
    {
        var script = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(block.Code, Parse).GetRoot();
        var statements = script.Members.OfType<GlobalStatementSyntax>().ToList();
        var types = script.Members.Where(m => m is not GlobalStatementSyntax).ToList();
        var text = block.Code.Split('\n');
        var usingLines = script.Usings.Select(u => u.GetLocation().GetLineSpan().StartLinePosition.Line).ToHashSet();
        var typeLines = types.SelectMany(t =>
        {
            var span = t.GetLocation().GetLineSpan();
            return Enumerable.Range(span.StartLinePosition.Line, span.EndLinePosition.Line - span.StartLinePosition.Line + 1);
        }).ToHashSet();

        // Every line keeps its number: usings and types are blanked out of the method body and emitted after it.
        var body = text.Select((line, i) => usingLines.Contains(i) || typeLines.Contains(i) ? string.Empty : line);
        var source = string.Join('\n', script.Usings.Select(u => u.ToFullString().Trim())) + "\n"
            + $"internal static class Block{index} {{ internal static async Task RunAsync() {{\n"
            + "#line 1\n" + string.Join('\n', body) + "\nawait Task.CompletedTask; } }\n"
            + string.Concat(types.Select(t => $"#line {t.GetLocation().GetLineSpan().StartLinePosition.Line + 1}\n{t}\n"));
        return CSharpSyntaxTree.ParseText(source, Parse, path: block.Page);
    }

    private static string Describe(Diagnostic diagnostic, CodeBlock block)
    {
        var line = diagnostic.Location.GetMappedLineSpan().StartLinePosition.Line;
        return $"{block.Page}:{block.Line + line}: {diagnostic.Id} {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
