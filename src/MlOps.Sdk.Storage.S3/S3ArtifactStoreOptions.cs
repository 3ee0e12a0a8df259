using System.ComponentModel.DataAnnotations;

namespace MlOps.Sdk.Storage.S3;

/// <summary>Options of the S3 artifact store.</summary>
public sealed class S3ArtifactStoreOptions
{
    /// <summary>The bucket that holds the artifacts. It must exist.</summary>
    [Required(AllowEmptyStrings = false)]
    public string BucketName { get; set; } = string.Empty;

    /// <summary>The key prefix under which objects are stored, as <c>{prefix}sha256/ab/cdef…</c>.</summary>
    /// <value>The default is <c>mlops/</c>.</value>
    public string Prefix { get; set; } = "mlops/";

    /// <summary>Content larger than this is sent as a multipart upload, in parts of <see cref="PartSize"/>.</summary>
    /// <value>The default is 16 MiB.</value>
    [Range(5L << 20, 5L << 30)]
    public long MultipartThreshold { get; set; } = 16L << 20;

    /// <summary>The size of each part of a multipart upload (S3 takes 5 MiB to 5 GiB; at most 10,000 parts).</summary>
    /// <value>The default is 16 MiB.</value>
    [Range(5L << 20, 1L << 30)]
    public long PartSize { get; set; } = 16L << 20;

    /// <summary>How many parts of one upload are sent at once; each holds a part in memory while it is sent.</summary>
    /// <value>The default is 4.</value>
    [Range(1, 64)]
    public int MaxConcurrentParts { get; set; } = 4;

    /// <summary>
    /// Whether uploads use S3's signed chunked encoding (<c>aws-chunked</c>). AWS S3 takes it; some S3-compatible servers
    /// do not, and store the chunk signatures inside the object (s3rver does): set false for them. A store that was
    /// written so is caught on the first read, whose digest check fails.
    /// </summary>
    /// <value>The default is true.</value>
    public bool UseChunkEncoding { get; set; } = true;
}
