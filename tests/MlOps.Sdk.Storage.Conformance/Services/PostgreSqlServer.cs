using System.Net;
using System.Net.Sockets;
using MlOps.Sdk.Tests;

namespace MlOps.Sdk.Storage.Conformance.Services;

/// <summary>
/// A private PostgreSQL cluster for a test process: Debian's server (installed when missing), initialised in a
/// temporary directory, listening on a free loopback port, stopped and deleted when the process exits. Tests share
/// <see cref="Instance"/> and keep apart by schema; a test that stops or restarts its server starts its own.
/// </summary>
public sealed class PostgreSqlServer : IDisposable
{
    private static readonly Lazy<PostgreSqlServer> Shared = new(Start);
    private readonly string _bin;
    private readonly string _directory;
    private readonly string _runAs;

    private readonly bool _keep;

    private PostgreSqlServer(string bin, string directory, int port, string runAs, bool keep = false)
    {
        _keep = keep;
        _bin = bin;
        _directory = directory;
        _runAs = runAs;
        Port = port;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Include Error Detail=true";
    }

    /// <summary>The server of this test process, started on first use.</summary>
    public static PostgreSqlServer Instance => Shared.Value;

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>A connection string to its <c>postgres</c> database as the superuser.</summary>
    public string ConnectionString { get; }

    /// <summary>A schema name no other test uses.</summary>
    public static string NewSchema() => "t_" + Guid.NewGuid().ToString("N");

    /// <summary>Stops the server at once, as a crash would (<c>immediate</c>: no checkpoint, clients cut off).</summary>
    public void Stop() => Control($"stop -D {_directory}/data -m immediate -w");

    /// <summary>Starts it again on the same port with the same data.</summary>
    public void StartAgain() => Control($"start -D {_directory}/data -w -t 60 -l {_directory}/log -o \"-h 127.0.0.1 -p {Port} -k {_directory} -c fsync=off -c max_connections=500 {Settings}\"");

    /// <summary>Server settings added to the command line (<c>-c name=value</c> each), for a server started by <see cref="StartAt"/>.</summary>
    public static string Settings { get; set; } = string.Empty;

    /// <summary>
    /// A server whose cluster lives in <paramref name="directory"/> and outlives the process (benchmarks reuse a filled
    /// store): initialised there the first time, started on a free port each time, stopped when the process exits.
    /// </summary>
    public static PostgreSqlServer StartAt(string directory)
    {
        DebianPackage.EnsureInstalled("postgresql", () => FindBin() is not null);
        Directory.CreateDirectory(directory);
        var runAs = Environment.UserName == "root" ? "postgres" : string.Empty;
        if (runAs.Length > 0)
        {
            DebianPackage.Run("/bin/chown", $"{runAs} {directory}", TimeSpan.FromSeconds(30));
        }

        var server = new PostgreSqlServer(FindBin()!, directory, FreePort(), runAs, keep: true);
        if (!File.Exists(Path.Combine(directory, "data", "PG_VERSION")))
        {
            server.Invoke("initdb", $"-D {directory}/data --auth=trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync");
        }

        server.StartAgain();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Remove();
        return server;
    }

    /// <summary>Starts a server of the caller's own, to stop and restart as it likes; disposing deletes it.</summary>
    public static PostgreSqlServer StartNew() => Start();

    /// <inheritdoc />
    public void Dispose() => Remove();

    private static PostgreSqlServer Start()
    {
        DebianPackage.EnsureInstalled("postgresql", () => FindBin() is not null);
        var bin = FindBin()!;
        var directory = Path.Combine(Path.GetTempPath(), "mlops-postgres-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);

        // PostgreSQL refuses to run as root: as root, the cluster belongs to Debian's postgres user.
        var runAs = Environment.UserName == "root" ? "postgres" : string.Empty;
        if (runAs.Length > 0)
        {
            DebianPackage.Run("/bin/chown", $"{runAs} {directory}", TimeSpan.FromSeconds(30));
        }

        var server = new PostgreSqlServer(bin, directory, FreePort(), runAs);
        server.Invoke("initdb", $"-D {directory}/data --auth=trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync");
        server.StartAgain();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Remove();
        return server;
    }

    private void Remove()
    {
        try
        {
            if (_keep)
            {
                Control($"stop -D {_directory}/data -m fast -w");
                return;
            }

            Stop();
        }
        catch (InvalidOperationException)
        {
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Control(string arguments) => Invoke("pg_ctl", arguments);

    private void Invoke(string program, string arguments)
    {
        var path = Path.Combine(_bin, program);
        if (_runAs.Length == 0)
        {
            DebianPackage.Run(path, arguments, TimeSpan.FromMinutes(2));
        }
        else
        {
            DebianPackage.Run("/usr/sbin/runuser", $"-u {_runAs} -- {path} {arguments}", TimeSpan.FromMinutes(2));
        }
    }

    private static string? FindBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "pg_ctl")) && File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
