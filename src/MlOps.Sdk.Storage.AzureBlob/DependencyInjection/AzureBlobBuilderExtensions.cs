using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlOps.Sdk;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage.AzureBlob;
using MlOps.Sdk.Storage.AzureBlob.DependencyInjection;
using Polly;
using Polly.Retry;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Azure Blob Storage artifact store.</summary>
public static class AzureBlobBuilderExtensions
{
    /// <summary>
    /// Keeps artifacts in an Azure Blob Storage container, through the <see cref="BlobServiceClient"/> registered in the
    /// container (Microsoft.Extensions.Azure's <c>AddBlobServiceClient</c>, say, with the host's credential). Replaces
    /// any artifact store registered before.
    /// </summary>
    public static IMlOpsBuilder UseAzureBlobArtifacts(this IMlOpsBuilder builder, Action<AzureBlobArtifactStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<AzureBlobArtifactStoreOptions>().ValidateOnStart().Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureBlobArtifactStoreOptions>, AzureBlobArtifactStoreOptionsValidator>());
        services.AddResiliencePipelineRegistry<string>();
        services.Replace(ServiceDescriptor.Singleton<ArtifactStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AzureBlobArtifactStoreOptions>>().Value;
            var client = sp.GetService<BlobServiceClient>()
                ?? throw new MlOpsException("UseAzureBlobArtifacts needs a BlobServiceClient registered in the container.");
            return new AzureBlobArtifactStore(
                client.GetBlobContainerClient(options.ContainerName),
                options,
                sp.GetRequiredService<TimeProvider>(),
                ResiliencePipelines.Resolve(sp, MlOpsResiliencePipelines.ObjectStore, DefaultRetry));
        }));
        return builder;
    }

    private static void DefaultRetry(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions
    {
        ShouldHandle = new PredicateBuilder()
            .Handle<RequestFailedException>(e => e.Status is >= 500 or 408 or 429 or 0)
            .Handle<HttpRequestException>()
            .Handle<IOException>(),
        MaxRetryAttempts = 4,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = TimeSpan.FromMilliseconds(200),
    });
}
