using System.Diagnostics;

namespace MlOps.Sdk.Storage.Conformance.Services;

/// <summary>
/// A server from npm run as a child process of the tests on a free loopback port, its data in a temporary directory,
/// killed when the test process exits.
/// </summary>
public sealed class NpmServer : IDisposable
{
    private readonly string _script;
    private readonly Func<int, string, string[]> _arguments;
    private Process? _process;

    /// <summary>Installs <paramref name="package"/> when needed and starts <paramref name="script"/> (relative to the package) with <paramref name="arguments"/>(port, data directory).</summary>
    public NpmServer(string package, string version, string script, Func<int, string, string[]> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        _script = Path.Combine(NpmTool.Install(package, version), "node_modules", package, script);
        _arguments = arguments;
        Name = package;
        Directory = Path.Combine(Path.GetTempPath(), $"mlops-{package}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Port = NpmTool.FreePort();
        StartAgain();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    /// <summary>The package's name.</summary>
    public string Name { get; }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>The directory of its data.</summary>
    public string Directory { get; }

    /// <summary>
    /// Stops the server at once: SIGTERM, so it closes its connections and saves its own state (Azurite keeps its
    /// containers' list in a file it writes then), and SIGKILL if it is still there after 5 seconds.
    /// </summary>
    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _ = Kill(_process.Id, 15);
            if (!_process.WaitForExit(5_000))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts it again on the same port with the same data.</summary>
    public void StartAgain()
    {
        var data = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "data")).FullName;
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(_script);
        foreach (var argument in _arguments(Port, data))
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException($"{Name} did not start.");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!NpmTool.Accepts(Port))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{Name} did not listen on port {Port} (exited: {_process.HasExited}).");
            }

            Thread.Sleep(50);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
