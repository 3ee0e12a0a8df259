using System.Xml.Linq;

namespace MlOps.Sdk.Packaging.Tests;

/// <summary>
/// The package graph as a consumer's restore sees it: the nuspecs of the packed feed, and for third-party packages the
/// nuspecs in the machine's package cache (each version the range names at its lower bound, as NuGet picks it).
/// </summary>
internal sealed class DependencyGraph(PackedFeed feed)
{
    private readonly string _cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Every package reachable from <paramref name="id"/>.</summary>
    public HashSet<string> Closure(string id)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<(string Id, string Version)>([(id, feed.Version)]);
        while (pending.TryPop(out var package))
        {
            foreach (var dependency in Dependencies(package.Id, package.Version).Where(d => seen.Add(d.Id)))
            {
                pending.Push(dependency);
            }
        }

        return seen;
    }

    private IEnumerable<(string Id, string Version)> Dependencies(string id, string version)
    {
        var nuspec = Load(id, version);
        if (nuspec is null)
        {
            return [];
        }

        var ns = nuspec.Name.Namespace;
        var groups = nuspec.Descendants(ns + "group").ToList();
        var group = groups.FirstOrDefault(g => (string?)g.Attribute("targetFramework") is "net10.0")
            ?? groups.Where(g => ((string?)g.Attribute("targetFramework"))?.StartsWith("net", StringComparison.Ordinal) == true && !((string)g.Attribute("targetFramework")!).StartsWith("netstandard", StringComparison.Ordinal))
                .OrderByDescending(g => (string)g.Attribute("targetFramework")!, StringComparer.Ordinal).FirstOrDefault()
            ?? groups.FirstOrDefault(g => ((string?)g.Attribute("targetFramework"))?.StartsWith("netstandard2", StringComparison.Ordinal) == true);
        var dependencies = group?.Elements(ns + "dependency") ?? nuspec.Descendants(ns + "dependency");
        return dependencies.Select(d => ((string)d.Attribute("id")!, LowerBound((string)d.Attribute("version")!))).ToList();
    }

    private XElement? Load(string id, string version)
    {
        if (File.Exists(feed.PackagePath(id)) && version == feed.Version)
        {
            return feed.Nuspec(id);
        }

        var path = Path.Combine(_cache, id.ToLowerInvariant(), version.ToLowerInvariant(), id.ToLowerInvariant() + ".nuspec");
        return File.Exists(path) ? XElement.Load(path) : null;
    }

    private static string LowerBound(string range) => range.Trim('[', '(', ' ').Split(',')[0].Trim(']', ')', ' ');
}
