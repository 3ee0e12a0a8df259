using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage;
using Polly;

namespace MlOps.Sdk.Storage.AzureBlob;

/// <summary>
/// Content-addressed artifacts in an Azure Blob Storage container, as <c>{prefix}sha256/ab/cdef…</c>. The digest is
/// computed before the upload, which goes straight to the blob's final name: a block blob shows new content only when
/// its block list is committed, so a failed or cut-off upload never appears under a digest. Every read verifies the
/// content against its digest. Whole operations are retried through <see cref="MlOpsResiliencePipelines.ObjectStore"/>.
/// </summary>
internal sealed class AzureBlobArtifactStore(BlobContainerClient container, AzureBlobArtifactStoreOptions options, TimeProvider time, ResiliencePipeline retry) : ArtifactStore
{
    /// <summary>Blob metadata: when the content was last stored, in Unix milliseconds (garbage collection's clock).</summary>
    private const string StoredAtMetadata = "mlopsstoredat";

    private readonly string _objects = options.Prefix + "sha256/";

    public override ValueTask<StoredArtifact> PutAsync(Stream content, CancellationToken cancellationToken = default) =>
        HashedUpload.PutAsync(content, UploadAsync, cancellationToken);

    public override ValueTask<StoredArtifact> PutFileAsync(string path, ArtifactFileMode mode = ArtifactFileMode.Copy, CancellationToken cancellationToken = default) =>
        HashedUpload.PutFileAsync(path, UploadAsync, cancellationToken);

    public override async ValueTask<Stream> OpenReadAsync(ContentDigest digest, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await retry.ExecuteAsync(async ct => await Blob(digest).DownloadStreamingAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return new DigestVerifyingStream(response.Value.Content, digest);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new MlOpsNotFoundException($"No artifact {digest} is stored in container '{container.Name}' under '{_objects}' ({e.ErrorCode}).");
        }
    }

    public override async ValueTask<bool> ExistsAsync(ContentDigest digest, CancellationToken cancellationToken = default) =>
        await retry.ExecuteAsync(async ct => (bool)await Blob(digest).ExistsAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    public override async IAsyncEnumerable<StoredArtifact> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = _objects }, cancellationToken).ConfigureAwait(false))
        {
            if (ContentDigest.TryParse("sha256:" + item.Name[_objects.Length..].Replace("/", string.Empty, StringComparison.Ordinal), out var digest))
            {
                yield return new StoredArtifact(digest, item.Properties.ContentLength ?? 0, StoredAt(item.Metadata, item.Properties.LastModified));
            }
        }
    }

    public override async ValueTask<bool> DeleteAsync(ContentDigest digest, CancellationToken cancellationToken = default) =>
        await retry.ExecuteAsync(async ct => (bool)await Blob(digest).DeleteIfExistsAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private BlobClient Blob(ContentDigest digest) => container.GetBlobClient(_objects + digest.Hex[..2] + "/" + digest.Hex[2..]);

    private async ValueTask<StoredArtifact> UploadAsync(ContentDigest digest, long length, Func<Stream> open, bool ownsStream, CancellationToken cancellationToken)
    {
        var blob = Blob(digest);
        var now = time.GetUtcNow();
        var metadata = new Dictionary<string, string> { [StoredAtMetadata] = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) };
        try
        {
            await retry.ExecuteAsync(
                async ct =>
                {
                    try
                    {
                        var properties = await blob.GetPropertiesAsync(cancellationToken: ct).ConfigureAwait(false);
                        if (properties.Value.ContentLength == length)
                        {
                            // Stored already: the put counts as new for garbage collection, as the caller is about to reference it.
                            await blob.SetMetadataAsync(metadata, cancellationToken: ct).ConfigureAwait(false);
                            return;
                        }
                    }
                    catch (RequestFailedException e) when (e.Status == 404)
                    {
                    }

                    var source = open();
                    try
                    {
                        await blob.UploadAsync(
                            source,
                            new BlobUploadOptions
                            {
                                Metadata = metadata,
                                TransferOptions = new StorageTransferOptions
                                {
                                    InitialTransferSize = options.SingleUploadThreshold,
                                    MaximumTransferSize = options.BlockSize,
                                    MaximumConcurrency = options.MaxConcurrentBlocks,
                                },
                            },
                            ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        if (ownsStream)
                        {
                            await source.DisposeAsync().ConfigureAwait(false);
                        }
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or IOException or AggregateException)
        {
            throw new MlOpsException($"Storing artifact {digest} ({length} bytes) in container '{container.Name}' failed: {e.Message} Nothing was stored under its digest.", e);
        }

        return new StoredArtifact(digest, length, now);
    }

    private static DateTimeOffset StoredAt(IDictionary<string, string>? metadata, DateTimeOffset? lastModified) =>
        metadata is not null && metadata.TryGetValue(StoredAtMetadata, out var ms) && long.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var unixMs)
            ? DateTimeOffset.FromUnixTimeMilliseconds(unixMs)
            : lastModified ?? DateTimeOffset.UnixEpoch;
}
