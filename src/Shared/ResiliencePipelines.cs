using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Registry;

namespace MlOps.Sdk;

/// <summary>Resolves the pipelines named in <see cref="MlOpsResiliencePipelines"/> from the host's Polly registry.</summary>
internal static class ResiliencePipelines
{
    /// <summary>
    /// The pipeline the host registered under <paramref name="key"/> (<c>AddResiliencePipeline</c>, before or after the
    /// layer was added), or else the SDK's default, made by the same registry: on the host's <see cref="TimeProvider"/>
    /// and with Polly's telemetry.
    /// </summary>
    public static ResiliencePipeline Resolve(IServiceProvider services, string key, Action<ResiliencePipelineBuilder> byDefault)
    {
        var registry = services.GetRequiredService<ResiliencePipelineRegistry<string>>();
        return registry.TryGetPipeline(key, out var pipeline) ? pipeline : registry.GetOrAddPipeline(key, byDefault);
    }
}
