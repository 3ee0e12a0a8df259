using System.Text.RegularExpressions;

namespace MlOps.Sdk.Docs.Tests;

/// <summary>A Markdown page of the repository and its C# blocks.</summary>
public sealed partial record DocPage(string RelativePath, IReadOnlyList<CodeBlock> Blocks)
{
    /// <summary>The repository's root: the folder holding MlOps.Sdk.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>README.md, docs/*.md and every package's README.md.</summary>
    public static IEnumerable<string> All() =>
        new[] { "README.md" }
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal).Select(Relative))
            .Concat(Directory.EnumerateDirectories(Path.Combine(Root, "src")).Order(StringComparer.Ordinal)
                .Select(d => Path.Combine(d, "README.md")).Where(File.Exists).Select(Relative));

    public static DocPage Load(string relativePath) => Parse(relativePath, File.ReadAllText(Path.Combine(Root, relativePath)));

    /// <summary>Finds the ```csharp fences of <paramref name="markdown"/>, with the line each block starts on.</summary>
    public static DocPage Parse(string relativePath, string markdown)
    {
        var blocks = new List<CodeBlock>();
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!CSharpFence().IsMatch(lines[i]))
            {
                continue;
            }

            var start = i + 1;
            var end = Array.FindIndex(lines, start, l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
            if (end < 0)
            {
                throw new InvalidDataException($"{relativePath}:{i + 1}: a C# block is never closed.");
            }

            blocks.Add(new CodeBlock(relativePath, start + 1, string.Join('\n', lines[start..end])));
            i = end;
        }

        return new DocPage(relativePath, blocks);
    }

    private static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MlOps.Sdk.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("MlOps.Sdk.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\s*```\s*(csharp|cs|c#)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex CSharpFence();
}

/// <summary>One fenced C# block: the page it is on, the line its code starts at, and the code.</summary>
public sealed record CodeBlock(string Page, int Line, string Code);
