using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MlOps.Sdk.Tests;

namespace MlOps.Sdk.Storage.Conformance.Services;

/// <summary>
/// An S3-compatible server for a test process: s3rver from npm (installed into a cache on first use; Node.js from
/// Debian when missing), on a free loopback port, its data in a temporary directory, killed when the process exits.
/// Tests share <see cref="Instance"/> and keep apart by bucket; a test that stops its server starts its own.
/// </summary>
public sealed class S3Server : IDisposable
{
    /// <summary>The access key and secret s3rver accepts.</summary>
    public const string Credential = "S3RVER";

    private const string Version = "3.7.1";
    private static readonly Lazy<S3Server> Shared = new(Start);
    private readonly string _directory;
    private Process? _process;

    private S3Server(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    /// <summary>The server of this test process, started on first use.</summary>
    public static S3Server Instance => Shared.Value;

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>Its endpoint, for <c>AmazonS3Config.ServiceURL</c> (path-style addressing).</summary>
    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    /// <summary>A bucket name no other test uses.</summary>
    public static string NewBucket() => "t-" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>Starts a server of the caller's own, to stop and restart as it likes; disposing deletes it.</summary>
    public static S3Server StartNew() => Start();

    /// <summary>Kills the server, as a crash would.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts it again on the same port with the same data.</summary>
    public void StartAgain()
    {
        var script = Path.Combine(Install(), "node_modules", "s3rver", "bin", "s3rver.js");
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { script, "--directory", Path.Combine(_directory, "data"), "--address", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent" })
        {
            info.ArgumentList.Add(argument);
        }

        Directory.CreateDirectory(Path.Combine(_directory, "data"));
        _process = Process.Start(info) ?? throw new InvalidOperationException("s3rver did not start.");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Accepts(Port))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"s3rver did not listen on port {Port} (exited: {_process.HasExited}).");
            }

            Thread.Sleep(50);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static S3Server Start()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mlops-s3rver-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        var server = new S3Server(directory, FreePort());
        server.StartAgain();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    }

    /// <summary>Installs s3rver once per machine into a cache directory, and Node.js first when the machine has none.</summary>
    private static string Install()
    {
        DebianPackage.EnsureInstalled("nodejs npm", () => File.Exists("/usr/bin/node") && File.Exists("/usr/bin/npm"));
        var cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mlops-tests", "s3rver-" + Version);
        var marker = Path.Combine(cache, "installed");
        if (File.Exists(marker))
        {
            return cache;
        }

        Directory.CreateDirectory(cache);
        using (var gate = Lock(Path.Combine(cache, ".lock")))
        {
            if (!File.Exists(marker))
            {
                DebianPackage.Run("npm", $"install --prefix {cache} --no-audit --no-fund --loglevel=error s3rver@{Version}", TimeSpan.FromMinutes(10));
                File.WriteAllText(marker, Version);
            }
        }

        return cache;
    }

    /// <summary>An exclusive lock on a file, across processes: test assemblies may install at the same time.</summary>
    private static FileStream Lock(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 3000)
            {
                Thread.Sleep(200);
            }
        }
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
