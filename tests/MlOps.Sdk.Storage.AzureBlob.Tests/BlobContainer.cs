using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.AzureBlob;
using MlOps.Sdk.Storage.Conformance.Services;

namespace MlOps.Sdk.Storage.AzureBlob.Tests;

/// <summary>A container of a test's own on Azurite, and raw access for tampering.</summary>
internal sealed class BlobContainer
{
    public BlobContainer(NpmServer? server = null)
    {
        Server = server ?? AzuriteServer.Instance;
        Service = new BlobServiceClient(AzuriteServer.ConnectionString(Server), new BlobClientOptions { Retry = { MaxRetries = 1, NetworkTimeout = TimeSpan.FromSeconds(20) } });
        Client = Service.GetBlobContainerClient(Name);
        Client.Create();
    }

    public NpmServer Server { get; }

    public string Name { get; } = AzuriteServer.NewContainer();

    public BlobServiceClient Service { get; }

    public BlobContainerClient Client { get; }

    public IMlOpsBuilder Use(IMlOpsBuilder builder, Action<AzureBlobArtifactStoreOptions>? configure = null)
    {
        builder.Services.AddSingleton(Service);
        return builder.UseAzureBlobArtifacts(o =>
        {
            o.ContainerName = Name;
            configure?.Invoke(o);
        });
    }

    /// <summary>Replaces a blob's bytes behind the store's back, as someone with write access to the container could.</summary>
    public Task OverwriteAsync(ContentDigest digest, byte[] bytes) =>
        Client.GetBlobClient($"mlops/sha256/{digest.Hex[..2]}/{digest.Hex[2..]}").UploadAsync(new BinaryData(bytes), overwrite: true);

    public async Task<List<string>> NamesAsync()
    {
        var names = new List<string>();
        await foreach (var blob in Client.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }
}
