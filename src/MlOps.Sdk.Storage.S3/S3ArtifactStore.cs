using System.Buffers;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using MlOps.Sdk.Artifacts;
using MlOps.Sdk.Storage;
using Polly;

namespace MlOps.Sdk.Storage.S3;

/// <summary>
/// Content-addressed artifacts in an S3 bucket, as <c>{prefix}sha256/ab/cdef…</c>. The digest is computed before the
/// upload, which goes straight to the object's final key: S3 makes an object visible only when a PUT or a multipart
/// upload completes, so a failed or cut-off upload never appears under a digest (a failed multipart upload is aborted).
/// Every read verifies the content against its digest. Whole operations are retried through
/// <see cref="MlOpsResiliencePipelines.ObjectStore"/>; each is idempotent, as content is named by what it is.
/// </summary>
internal sealed class S3ArtifactStore(IAmazonS3 s3, S3ArtifactStoreOptions options, TimeProvider time, ResiliencePipeline retry) : ArtifactStore
{
    /// <summary>User metadata: when the content was last stored, in Unix milliseconds (garbage collection's clock).</summary>
    private const string StoredAtMetadata = "x-amz-meta-mlops-stored-at";

    private readonly string _objects = options.Prefix + "sha256/";

    public override ValueTask<StoredArtifact> PutAsync(Stream content, CancellationToken cancellationToken = default) =>
        HashedUpload.PutAsync(content, UploadAsync, cancellationToken);

    public override ValueTask<StoredArtifact> PutFileAsync(string path, ArtifactFileMode mode = ArtifactFileMode.Copy, CancellationToken cancellationToken = default) =>
        HashedUpload.PutFileAsync(path, UploadAsync, cancellationToken);

    public override async ValueTask<Stream> OpenReadAsync(ContentDigest digest, CancellationToken cancellationToken = default)
    {
        var key = Key(digest);
        try
        {
            var response = await retry.ExecuteAsync(async ct => await s3.GetObjectAsync(options.BucketName, key, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return new DigestVerifyingStream(response.ResponseStream, digest);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new MlOpsNotFoundException($"No artifact {digest} is stored in s3://{options.BucketName}/{_objects} ({e.ErrorCode}).");
        }
    }

    public override async ValueTask<bool> ExistsAsync(ContentDigest digest, CancellationToken cancellationToken = default) =>
        await HeadAsync(Key(digest), cancellationToken).ConfigureAwait(false) is not null;

    public override async IAsyncEnumerable<StoredArtifact> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new ListObjectsV2Request { BucketName = options.BucketName, Prefix = _objects };
        do
        {
            var page = await retry.ExecuteAsync(async ct => await s3.ListObjectsV2Async(request, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.S3Objects ?? [])
            {
                if (!ContentDigest.TryParse("sha256:" + entry.Key[_objects.Length..].Replace("/", string.Empty, StringComparison.Ordinal), out var digest))
                {
                    continue;
                }

                // The time of the last put is kept in the object's metadata: one HEAD per object (listing is for collection).
                var head = await HeadAsync(entry.Key, cancellationToken).ConfigureAwait(false);
                if (head is not null)
                {
                    yield return new StoredArtifact(digest, head.ContentLength, StoredAt(head));
                }
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
        while (!string.IsNullOrEmpty(request.ContinuationToken));
    }

    public override async ValueTask<bool> DeleteAsync(ContentDigest digest, CancellationToken cancellationToken = default)
    {
        var key = Key(digest);
        if (await HeadAsync(key, cancellationToken).ConfigureAwait(false) is null)
        {
            return false;
        }

        await retry.ExecuteAsync(async ct => await s3.DeleteObjectAsync(options.BucketName, key, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return true;
    }

    private string Key(ContentDigest digest) => _objects + digest.Hex[..2] + "/" + digest.Hex[2..];

    private async ValueTask<StoredArtifact> UploadAsync(ContentDigest digest, long length, Func<Stream> open, bool ownsStream, CancellationToken cancellationToken)
    {
        var key = Key(digest);
        var now = time.GetUtcNow();
        var storedAt = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        try
        {
            await UploadOnceOrRetriedAsync(key, length, storedAt, open, ownsStream, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException)
        {
            throw new MlOpsException($"Storing artifact {digest} ({length} bytes) in s3://{options.BucketName}/{key} failed: {e.Message} Nothing was stored under its digest.", e);
        }

        return new StoredArtifact(digest, length, now);
    }

    private Task UploadOnceOrRetriedAsync(string key, long length, string storedAt, Func<Stream> open, bool ownsStream, CancellationToken cancellationToken) =>
        retry.ExecuteAsync(
            async ct =>
            {
                if (await HeadAsync(key, ct).ConfigureAwait(false) is { } head && head.ContentLength == length && await TryTouchAsync(key, storedAt, ct).ConfigureAwait(false))
                {
                    // Stored already: the put counts as new for garbage collection, as the caller is about to reference it.
                    return;
                }

                var source = open();
                try
                {
                    if (length <= options.MultipartThreshold)
                    {
                        var request = new PutObjectRequest
                        {
                            BucketName = options.BucketName,
                            Key = key,
                            InputStream = source,
                            AutoCloseStream = false,
                            AutoResetStreamPosition = false,
                            UseChunkEncoding = options.UseChunkEncoding,
                        };
                        request.Headers.ContentLength = length;
                        request.Metadata[StoredAtMetadata] = storedAt;
                        await s3.PutObjectAsync(request, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        await MultipartUploadAsync(key, source, length, storedAt, ct).ConfigureAwait(false);
                    }
                }
                finally
                {
                    if (ownsStream)
                    {
                        await source.DisposeAsync().ConfigureAwait(false);
                    }
                }
            },
            cancellationToken).AsTask();

    /// <summary>Parts are read in order into pooled buffers and sent up to <see cref="S3ArtifactStoreOptions.MaxConcurrentParts"/> at a time.</summary>
    private async Task MultipartUploadAsync(string key, Stream source, long length, string storedAt, CancellationToken cancellationToken)
    {
        var start = new InitiateMultipartUploadRequest { BucketName = options.BucketName, Key = key };
        start.Metadata[StoredAtMetadata] = storedAt;
        var uploadId = (await s3.InitiateMultipartUploadAsync(start, cancellationToken).ConfigureAwait(false)).UploadId;
        try
        {
            var partSize = (int)Math.Max(options.PartSize, (length + 9_999) / 10_000);
            var parts = new List<Task<PartETag>>();
            using var slots = new SemaphoreSlim(options.MaxConcurrentParts);
            for (var (number, offset) = (1, 0L); offset < length; number++, offset += partSize)
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                var size = (int)Math.Min(partSize, length - offset);
                var buffer = ArrayPool<byte>.Shared.Rent(size);
                try
                {
                    await source.ReadExactlyAsync(buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    slots.Release();
                    throw;
                }

                parts.Add(UploadPartAsync(key, uploadId, number, buffer, size, slots, cancellationToken));
            }

            var etags = await Task.WhenAll(parts).ConfigureAwait(false);
            await s3.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = options.BucketName, Key = key, UploadId = uploadId, PartETags = [.. etags] },
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Nothing became visible; the parts are released (best effort: a bucket lifecycle rule should also expire them).
            try
            {
                await s3.AbortMultipartUploadAsync(options.BucketName, key, uploadId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AmazonS3Exception or HttpRequestException or IOException)
            {
            }

            throw;
        }
    }

    private async Task<PartETag> UploadPartAsync(string key, string uploadId, int number, byte[] buffer, int size, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        try
        {
            using var part = new MemoryStream(buffer, 0, size, writable: false);
            var response = await s3.UploadPartAsync(
                new UploadPartRequest
                {
                    BucketName = options.BucketName,
                    Key = key,
                    UploadId = uploadId,
                    PartNumber = number,
                    PartSize = size,
                    InputStream = part,
                    UseChunkEncoding = options.UseChunkEncoding,
                },
                cancellationToken).ConfigureAwait(false);
            return new PartETag(number, response.ETag);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            slots.Release();
        }
    }

    /// <summary>
    /// Sets the stored-at time of an object by copying it onto itself with new metadata, on the server. False when the
    /// server refuses the copy (s3rver does not decode the copy source's key): the content is then sent again.
    /// </summary>
    private async Task<bool> TryTouchAsync(string key, string storedAt, CancellationToken cancellationToken)
    {
        var copy = new CopyObjectRequest
        {
            SourceBucket = options.BucketName,
            SourceKey = key,
            DestinationBucket = options.BucketName,
            DestinationKey = key,
            MetadataDirective = S3MetadataDirective.REPLACE,
        };
        copy.Metadata[StoredAtMetadata] = storedAt;
        try
        {
            await s3.CopyObjectAsync(copy, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when ((int)e.StatusCode is >= 400 and < 500 && e.StatusCode != HttpStatusCode.TooManyRequests)
        {
            return false;
        }
    }

    private async Task<GetObjectMetadataResponse?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await retry.ExecuteAsync(async ct => await s3.GetObjectMetadataAsync(options.BucketName, key, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static DateTimeOffset StoredAt(GetObjectMetadataResponse head) =>
        head.Metadata[StoredAtMetadata] is { } ms && long.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var unixMs)
            ? DateTimeOffset.FromUnixTimeMilliseconds(unixMs)
            : new DateTimeOffset(head.LastModified ?? DateTime.UnixEpoch, TimeSpan.Zero);
}
