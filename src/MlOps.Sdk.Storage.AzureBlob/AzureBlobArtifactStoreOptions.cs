using System.ComponentModel.DataAnnotations;

namespace MlOps.Sdk.Storage.AzureBlob;

/// <summary>Options of the Azure Blob Storage artifact store.</summary>
public sealed class AzureBlobArtifactStoreOptions
{
    /// <summary>The container that holds the artifacts. It must exist.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ContainerName { get; set; } = string.Empty;

    /// <summary>The blob name prefix under which content is stored, as <c>{prefix}sha256/ab/cdef…</c>.</summary>
    /// <value>The default is <c>mlops/</c>.</value>
    public string Prefix { get; set; } = "mlops/";

    /// <summary>Content larger than this is staged as blocks of <see cref="BlockSize"/> and committed in one block list.</summary>
    /// <value>The default is 16 MiB.</value>
    [Range(1L << 20, 5000L << 20)]
    public long SingleUploadThreshold { get; set; } = 16L << 20;

    /// <summary>The size of each staged block.</summary>
    /// <value>The default is 16 MiB.</value>
    [Range(1L << 20, 4000L << 20)]
    public long BlockSize { get; set; } = 16L << 20;

    /// <summary>How many blocks of one upload are sent at once.</summary>
    /// <value>The default is 4.</value>
    [Range(1, 64)]
    public int MaxConcurrentBlocks { get; set; } = 4;
}
