using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.AspNetCore.Security;
using MlOps.Sdk.Storage.Conformance;
using MlOps.Sdk.Versioning;

namespace MlOps.Sdk.AspNetCore.Tests;

/// <summary>The usual setting: an embedded store with model 'adder' (Y = X + 1) at 'production', served typed and untyped.</summary>
internal static class Scenario
{
    public const string Model = "adder";

    /// <summary>Registers <paramref name="models"/> in order under <see cref="Model"/> and points 'production' at the first.</summary>
    public static Func<string, Task> Seed(params byte[][] models) => async root =>
    {
        var services = new ServiceCollection();
        services.AddLogging();
        Store(services, root);
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ModelRegistry>();
        for (var i = 0; i < models.Length; i++)
        {
            var version = await registry.RegisterModelAsync(Model, new MemoryStream(models[i]));
            if (i == 0)
            {
                await registry.SetAliasAsync(Model, "production", version.Number);
            }
        }
    };

    public static MlOps.Sdk.IMlOpsBuilder Store(IServiceCollection services, string root, Action<ModelRegistryOptions>? registry = null) =>
        services.AddMlOps(o => o.RootDirectory = root).AddTracking(t => t.QueueFullMode = MlOps.Sdk.Tracking.MetricQueueFullMode.Wait).AddModelRegistry(r => registry?.Invoke(r)).AddDatasets().UseSqlite();

    /// <summary>The embedded store, the typed host 'adder' following 'production', the HTTP services and the test's JSON.</summary>
    public static MlOps.Sdk.IMlOpsBuilder Typed(IServiceCollection services, string root, Action<MlOpsHttpOptions>? http = null)
    {
        var sdk = Store(services, root).AddModelHost<Row, Sums>(Model, h => h.FollowAlias("production"));
        services.AddMlOpsHttp(http);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, TestJson.Default));
        return sdk;
    }

    /// <summary>A server with the typed host mapped at /models/adder, as the arguments adjust it.</summary>
    public static Task<ApiServer> StartAsync(
        Action<MlOpsHttpOptions>? http = null,
        Action<WebApplication>? map = null,
        Action<ApiKeyAuthenticationOptions>? apiKeys = null,
        Action<ModelRegistryOptions>? registry = null,
        byte[]? model = null,
        bool untyped = false,
        Action<MlOps.Sdk.Serving.ModelHostOptions>? host = null) =>
        ApiServer.StartAsync(
            (services, root) =>
            {
                var sdk = Store(services, root, registry);
                if (untyped)
                {
                    sdk.AddModelHost(Model, h => { h.FollowAlias("production"); host?.Invoke(h); });
                }
                else
                {
                    sdk.AddModelHost<Row, Sums>(Model, h => { h.FollowAlias("production"); host?.Invoke(h); });
                }

                services.AddMlOpsHttp(http);
                services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, TestJson.Default));
            },
            app =>
            {
                if (map is not null)
                {
                    map(app);
                }
                else
                {
                    app.MapModel<Row, Sums>(Model);
                }
            },
            apiKeys,
            Seed(model ?? OnnxModels.AddConstant(1f, 4)));
}
