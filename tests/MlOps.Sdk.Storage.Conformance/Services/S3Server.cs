namespace MlOps.Sdk.Storage.Conformance.Services;

/// <summary>
/// s3rver, an S3-compatible server from npm, for a test process. Tests share <see cref="Instance"/> and keep apart by
/// bucket; a test that stops its server starts its own.
/// </summary>
public static class S3Server
{
    /// <summary>The access key and secret s3rver accepts.</summary>
    public const string Credential = "S3RVER";

    private static readonly Lazy<NpmServer> Shared = new(StartNew);

    /// <summary>The server of this test process, started on first use.</summary>
    public static NpmServer Instance => Shared.Value;

    /// <summary>A bucket name no other test uses.</summary>
    public static string NewBucket() => "t-" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>Its endpoint, for <c>AmazonS3Config.ServiceURL</c> (path-style addressing).</summary>
    public static string ServiceUrl(NpmServer server) => $"http://127.0.0.1:{server?.Port}";

    /// <summary>Starts a server of the caller's own, to stop and restart as it likes; disposing deletes it.</summary>
    public static NpmServer StartNew() =>
        new("s3rver", "3.7.1", "bin/s3rver.js", (port, data) => ["--directory", data, "--address", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent"]);
}
