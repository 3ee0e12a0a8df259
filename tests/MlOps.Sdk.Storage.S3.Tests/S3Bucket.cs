using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Storage.Conformance.Services;
using MlOps.Sdk.Storage.S3;

namespace MlOps.Sdk.Storage.S3.Tests;

/// <summary>A bucket of a test's own on an s3rver, a client for it, and raw access for tampering.</summary>
internal sealed class S3Bucket
{
    public S3Bucket(NpmServer? server = null)
    {
        Server = server ?? S3Server.Instance;
        Client = NewClient(Server);
        Client.PutBucketAsync(Name).GetAwaiter().GetResult();
    }

    public NpmServer Server { get; }

    public string Name { get; } = S3Server.NewBucket();

    public AmazonS3Client Client { get; }

    public static AmazonS3Client NewClient(NpmServer server) =>
        new(new BasicAWSCredentials(S3Server.Credential, S3Server.Credential), new AmazonS3Config
        {
            ServiceURL = S3Server.ServiceUrl(server),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 1,
            Timeout = TimeSpan.FromSeconds(20),
        });

    public IMlOpsBuilder Use(IMlOpsBuilder builder, Action<S3ArtifactStoreOptions>? configure = null)
    {
        builder.Services.AddSingleton<IAmazonS3>(Client);
        return builder.UseS3Artifacts(o =>
        {
            o.BucketName = Name;
            o.UseChunkEncoding = false;
            configure?.Invoke(o);
        });
    }

    /// <summary>Replaces an object's bytes behind the store's back, as someone with write access to the bucket could.</summary>
    public async Task OverwriteAsync(ContentDigest digest, byte[] bytes)
    {
        var key = $"mlops/sha256/{digest.Hex[..2]}/{digest.Hex[2..]}";
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = Name, Key = key, InputStream = new MemoryStream(bytes), UseChunkEncoding = false });
    }

    public async Task<List<string>> KeysAsync() =>
        (await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Name })).S3Objects?.Select(o => o.Key).ToList() ?? [];
}
