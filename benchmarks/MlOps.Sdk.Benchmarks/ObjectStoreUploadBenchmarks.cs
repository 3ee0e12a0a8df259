using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Transfer;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage.Conformance.Services;

namespace MlOps.Sdk.Benchmarks;

/// <summary>
/// A 256 MiB artifact stored through the SDK (digest first, then a multipart upload or staged blocks) against the cloud
/// SDK's own upload of the same file to the same server: AWSSDK's <c>TransferUtility.UploadAsync</c> to s3rver, and
/// Azure.Storage.Blobs' <c>BlobClient.UploadAsync</c> to Azurite, with the same part size and concurrency. Each
/// iteration uploads content never stored before.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ObjectStoreUploadBenchmarks
{
    private const int Size = 256 << 20;
    private const long PartSize = 16L << 20;
    private const int Concurrency = 4;
    private readonly string _file = Path.Combine(Path.GetTempPath(), "mlops-bench-upload.bin");
    private readonly byte[] _content = new byte[Size];
    private AmazonS3Client _s3 = null!;
    private BlobServiceClient _blobs = null!;
    private ServiceProvider _s3Store = null!;
    private ServiceProvider _blobStore = null!;
    private int _iteration;

    [GlobalSetup]
    public async Task Start()
    {
        new Random(1).NextBytes(_content);
        _s3 = new AmazonS3Client(new BasicAWSCredentials(S3Server.Credential, S3Server.Credential), new AmazonS3Config { ServiceURL = S3Server.ServiceUrl(S3Server.Instance), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        await _s3.PutBucketAsync("bench");
        _blobs = new BlobServiceClient(AzuriteServer.ConnectionString(AzuriteServer.Instance));
        await _blobs.GetBlobContainerClient("bench").CreateAsync();

        var s3 = new ServiceCollection();
        s3.AddSingleton<IAmazonS3>(_s3);
        s3.AddMlOps().UseS3Artifacts(o =>
        {
            o.BucketName = "bench";
            o.UseChunkEncoding = false;
            o.PartSize = PartSize;
            o.MaxConcurrentParts = Concurrency;
        });
        _s3Store = s3.BuildServiceProvider();
        var blob = new ServiceCollection();
        blob.AddSingleton(_blobs);
        blob.AddMlOps().UseAzureBlobArtifacts(o =>
        {
            o.ContainerName = "bench";
            o.BlockSize = PartSize;
            o.MaxConcurrentBlocks = Concurrency;
        });
        _blobStore = blob.BuildServiceProvider();
    }

    [GlobalCleanup]
    public void Stop()
    {
        _s3Store.Dispose();
        _blobStore.Dispose();
        File.Delete(_file);
    }

    /// <summary>New content for each iteration: the first bytes count the iterations.</summary>
    [IterationSetup]
    public void NewContent()
    {
        BitConverter.TryWriteBytes(_content.AsSpan(0, 4), ++_iteration);
        BitConverter.TryWriteBytes(_content.AsSpan(4, 4), Environment.ProcessId);
        File.WriteAllBytes(_file, _content);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("S3")]
    public async Task TransferUtilityUpload()
    {
        using var transfer = new TransferUtility(_s3, new TransferUtilityConfig { ConcurrentServiceRequests = Concurrency });
        await transfer.UploadAsync(new TransferUtilityUploadRequest { BucketName = "bench", Key = "raw/" + _iteration, FilePath = _file, PartSize = PartSize });
    }

    [Benchmark]
    [BenchmarkCategory("S3")]
    public async Task<long> S3PutFileAsync() => (await _s3Store.GetRequiredService<ArtifactStore>().PutFileAsync(_file)).Length;

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("AzureBlob")]
    public async Task BlobClientUpload() =>
        await _blobs.GetBlobContainerClient("bench").GetBlobClient("raw/" + _iteration).UploadAsync(_file, new BlobUploadOptions
        {
            TransferOptions = new StorageTransferOptions { InitialTransferSize = PartSize, MaximumTransferSize = PartSize, MaximumConcurrency = Concurrency },
        });

    [Benchmark]
    [BenchmarkCategory("AzureBlob")]
    public async Task<long> AzureBlobPutFileAsync() => (await _blobStore.GetRequiredService<ArtifactStore>().PutFileAsync(_file)).Length;
}
