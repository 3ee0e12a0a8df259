using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Xunit;

namespace MlOps.Sdk.Packaging.Tests;

/// <summary>
/// A copy of the working tree (with its git history, so Source Link sees a commit) packed into a local folder feed with a
/// version of its own, so a fresh app restores exactly these packages and no cached ones.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    public static readonly string[] PackageIds =
    [
        "MlOps.Sdk", "MlOps.Sdk.Core", "MlOps.Sdk.Tracking", "MlOps.Sdk.Versioning", "MlOps.Sdk.Serving.Abstractions",
        "MlOps.Sdk.Serving", "MlOps.Sdk.Monitoring", "MlOps.Sdk.Storage.Sqlite", "MlOps.Sdk.Storage.PostgreSql", "MlOps.Sdk.Storage.S3", "MlOps.Sdk.Storage.AzureBlob", "MlOps.Sdk.Testing",
        "MlOps.Sdk.AspNetCore", "MlOps.Sdk.Cli",
    ];

    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "mlops-packaging-" + Guid.NewGuid().ToString("N")[..8]);

    public string Version { get; } = $"0.9.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}";

    /// <summary>The copy of the repository that was packed.</summary>
    public string Tree => Path.Combine(_scratch, "tree");

    public string Feed => Path.Combine(_scratch, "feed");

    public string Scratch => _scratch;

    public async Task InitializeAsync()
    {
        CopyWorkingTree(Repository.Root, Tree);
        Git(Tree, "remote", "remove", "origin");
        Git(Tree, "remote", "add", "origin", "https://github.com/mlops-sdk/mlops-sdk.git");
        var (exit, output) = await DotnetCli.RunAsync(Tree, TimeSpan.FromMinutes(15),
            "pack", "MlOps.Sdk.Packages.slnf", "-c", "Release", "-o", Feed, $"-p:VersionSuffix={Version["0.9.0-".Length..]}", "-p:ContinuousIntegrationBuild=true");
        Assert.True(exit == 0, "dotnet pack failed:\n" + output);
    }

    public Task DisposeAsync()
    {
        // The fresh app's restore put these test versions into the machine's package cache; they are never used again.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in PackageIds)
        {
            var cached = Path.Combine(cache, id.ToLowerInvariant(), Version);
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }

        Directory.Delete(_scratch, recursive: true);
        return Task.CompletedTask;
    }

    public string PackagePath(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    public XElement Nuspec(string id)
    {
        using var package = ZipFile.OpenRead(PackagePath(id));
        var entry = package.Entries.Single(e => e.FullName == id + ".nuspec");
        using var stream = entry.Open();
        return XElement.Load(stream);
    }

    private static void CopyWorkingTree(string from, string to)
    {
        var files = Git(from, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        foreach (var file in files.Where(f => File.Exists(Path.Combine(from, f))))
        {
            var target = Path.Combine(to, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(from, file), target);
        }

        foreach (var file in Directory.EnumerateFiles(Path.Combine(from, ".git"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static string Git(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        return output;
    }
}

/// <summary>The repository the tests run from.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
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
}
