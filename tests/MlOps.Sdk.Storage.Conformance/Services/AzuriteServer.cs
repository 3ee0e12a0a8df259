namespace MlOps.Sdk.Storage.Conformance.Services;

/// <summary>
/// Azurite's blob service, Azure Storage's emulator from npm, for a test process. Tests share <see cref="Instance"/>
/// and keep apart by container; a test that stops its server starts its own.
/// </summary>
public static class AzuriteServer
{
    /// <summary>Azurite's well-known development account key.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<NpmServer> Shared = new(StartNew);

    /// <summary>The server of this test process, started on first use.</summary>
    public static NpmServer Instance => Shared.Value;

    /// <summary>A container name no other test uses.</summary>
    public static string NewContainer() => "t-" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>A connection string to its development account.</summary>
    public static string ConnectionString(NpmServer server) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{server?.Port}/devstoreaccount1;";

    /// <summary>Starts a server of the caller's own, to stop and restart as it likes; disposing deletes it.</summary>
    public static NpmServer StartNew() =>
        new("azurite", "3.35.0", "dist/src/blob/main.js", (port, data) => ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location", data, "--silent", "--skipApiVersionCheck", "--loose"]);
}
