using System.Text.RegularExpressions;
using MlOps.Sdk.Storage.Conformance;
using Xunit;

namespace MlOps.Sdk.Packaging.Tests;

/// <summary>
/// A new user's first hour: a console app outside the tree that references only <c>MlOps.Sdk</c> from the packed feed,
/// runs the README's tracking snippet as written, then registers the logged model and serves a prediction.
/// </summary>
[Collection(PackedCollection.Name)]
public sealed partial class FreshAppTests(PackedFeed feed)
{
    [Fact]
    public async Task AConsoleApp_ReferencingOnlyMlOpsSdk_RunsTheReadmeSnippet_AndServesAPrediction()
    {
        var app = Path.Combine(feed.Scratch, "fresh-app");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="mlops-local" value="{feed.Feed}" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "FreshApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <RuntimeIdentifier>$(NETCoreSdkRuntimeIdentifier)</RuntimeIdentifier>
                <SelfContained>false</SelfContained>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="MlOps.Sdk" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllBytesAsync(Path.Combine(app, "model.onnx"), OnnxModels.AddConstant(1f, 4));
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), Program(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "README.md"))));

        var (exit, output) = await DotnetCli.RunAsync(app, TimeSpan.FromMinutes(10), "run");

        Assert.True(exit == 0, "The fresh app failed:\n" + output);
        Assert.True(output.Contains("search found 1 run", StringComparison.Ordinal), output);
        Assert.True(output.Contains("prediction 2,3,4,5 from adder/1", StringComparison.Ordinal), output);
        Assert.True(Directory.Exists(Path.Combine(app, ".mlops", "artifacts")));
    }

    /// <summary>
    /// The README's first C# block, as written, split where the services are configured: the app builds the provider
    /// there and gives the names the snippet takes as given; then it registers the model the run logged and serves it.
    /// </summary>
    private static string Program(string readme)
    {
        var snippet = CSharpBlock().Match(readme).Groups["code"].Value.ReplaceLineEndings("\n");
        var lines = snippet.Split('\n');
        var usings = lines.TakeWhile(l => l.StartsWith("using ", StringComparison.Ordinal) || l.Length == 0).ToList();
        var rest = lines.Skip(usings.Count).ToList();
        var configured = rest.FindIndex(l => l.Contains(".UseSqlite();", StringComparison.Ordinal)) + 1;
        Assert.True(configured > 0, "The README's tracking snippet no longer configures the services with UseSqlite().");

        string[] appUsings = ["using Microsoft.Extensions.DependencyInjection;", "using MlOps.Sdk;", "using MlOps.Sdk.Serving;", "using MlOps.Sdk.Tracking;", "using MlOps.Sdk.Versioning;"];
        return string.Join('\n', usings.Where(u => u.Length > 0).Union(appUsings)) + """


            var services = new ServiceCollection();

            """ + string.Join('\n', rest.Take(configured)) + """

            services.AddMlOps().AddModelRegistry().AddModelHost<Input, Output>("adder", h => h.FollowAlias("production"));
            await using var provider = services.BuildServiceProvider();
            var tracker = provider.GetRequiredService<ExperimentTracker>();
            var ct = CancellationToken.None;
            var datasetDigest = ContentDigest.Compute("transactions"u8);
            await using var onnxStream = File.OpenRead("model.onnx");

            """ + string.Join('\n', rest.Skip(configured)) + """

            Console.WriteLine($"search found {page.Runs.Count} run");
            await run.EndAsync();
            var registry = provider.GetRequiredService<ModelRegistry>();
            var version = await registry.RegisterModelFromRunAsync("adder", run.Id, "model/model.onnx");
            await registry.SetAliasAsync("adder", "production", version.Number);
            var host = provider.GetRequiredKeyedService<ModelHost<Input, Output>>("adder");
            await host.StartAsync();
            var prediction = host.Predict(new Input { X = [1, 2, 3, 4] });
            Console.WriteLine($"prediction {string.Join(',', prediction.Y!)} from adder/{host.CurrentVersion!.Number}");

            public sealed class Input
            {
                public float[]? X { get; set; }
            }

            public sealed class Output
            {
                public float[]? Y { get; set; }
            }
            """;
    }

    [GeneratedRegex(@"```csharp\n(?<code>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
