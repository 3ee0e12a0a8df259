using System.Net;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlOps.Sdk;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage.S3;
using MlOps.Sdk.Storage.S3.DependencyInjection;
using Polly;
using Polly.Retry;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the S3 artifact store.</summary>
public static class S3BuilderExtensions
{
    /// <summary>
    /// Keeps artifacts in an S3 bucket, through the <see cref="IAmazonS3"/> registered in the container (for MinIO, Ceph
    /// or another S3-compatible server, one made with its <c>ServiceURL</c> and <c>ForcePathStyle</c>), or else a client
    /// configured from the environment (AWS's credential and region chain). Replaces any artifact store registered before.
    /// </summary>
    public static IMlOpsBuilder UseS3Artifacts(this IMlOpsBuilder builder, Action<S3ArtifactStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<S3ArtifactStoreOptions>().ValidateOnStart().Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<S3ArtifactStoreOptions>, S3ArtifactStoreOptionsValidator>());
        services.AddResiliencePipelineRegistry<string>();
        services.Replace(ServiceDescriptor.Singleton<ArtifactStore>(sp => new S3ArtifactStore(
            sp.GetService<IAmazonS3>() ?? new AmazonS3Client(),
            sp.GetRequiredService<IOptions<S3ArtifactStoreOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            ResiliencePipelines.Resolve(sp, MlOpsResiliencePipelines.ObjectStore, DefaultRetry))));
        return builder;
    }

    private static void DefaultRetry(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions
    {
        ShouldHandle = new PredicateBuilder()
            .Handle<AmazonS3Exception>(e => (int)e.StatusCode >= 500 || e.StatusCode == HttpStatusCode.TooManyRequests || e.ErrorCode is "SlowDown" or "RequestTimeout")
            .Handle<HttpRequestException>()
            .Handle<IOException>(),
        MaxRetryAttempts = 4,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = TimeSpan.FromMilliseconds(200),
    });
}
