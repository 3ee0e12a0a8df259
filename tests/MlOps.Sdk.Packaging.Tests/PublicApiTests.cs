using Xunit;

namespace MlOps.Sdk.Packaging.Tests;

/// <summary>The public surface is a promise: the build refuses a public member no PublicAPI file declares.</summary>
[Collection(PackedCollection.Name)]
public sealed class PublicApiTests(PackedFeed feed)
{
    [Fact]
    public async Task Build_FailsOnAnUndeclaredPublicMember_AndPassesOnceItIsDeclared()
    {
        var core = Path.Combine(feed.Tree, "src", "MlOps.Sdk.Core");
        var probe = Path.Combine(core, "ApiProbe.cs");
        var unshipped = Path.Combine(core, "PublicAPI.Unshipped.txt");
        var declared = await File.ReadAllTextAsync(unshipped);
        await File.WriteAllTextAsync(probe, """
            namespace MlOps.Sdk;

            /// <summary>A member nobody declared.</summary>
            public static class ApiProbe
            {
                /// <summary>The answer.</summary>
                public static int Answer => 42;
            }
            """);
        try
        {
            var (refused, refusal) = await DotnetCli.RunAsync(core, TimeSpan.FromMinutes(5), "build", "-c", "Release");
            Assert.NotEqual(0, refused);
            Assert.Contains("error RS0016: Symbol 'MlOps.Sdk.ApiProbe' is not part of the declared public API", refusal, StringComparison.Ordinal);
            Assert.Contains("MlOps.Sdk.ApiProbe.Answer.get -> int", refusal, StringComparison.Ordinal);

            await File.AppendAllTextAsync(unshipped, "MlOps.Sdk.ApiProbe\nstatic MlOps.Sdk.ApiProbe.Answer.get -> int\n");
            var (accepted, output) = await DotnetCli.RunAsync(core, TimeSpan.FromMinutes(5), "build", "-c", "Release");
            Assert.True(accepted == 0, "The declared member still fails the build:\n" + output);
        }
        finally
        {
            File.Delete(probe);
            await File.WriteAllTextAsync(unshipped, declared);
        }
    }
}
