using System.Net;
using System.Net.Sockets;
using MlOps.Sdk.Tests;

namespace MlOps.Sdk.Storage.Conformance.Services;

/// <summary>Servers the tests run from npm: installed once per machine into a cache, with Node.js from Debian when missing.</summary>
internal static class NpmTool
{
    /// <summary>Installs <paramref name="package"/> at <paramref name="version"/> unless the cache has it; returns its prefix.</summary>
    public static string Install(string package, string version)
    {
        DebianPackage.EnsureInstalled("nodejs npm", () => File.Exists("/usr/bin/node") && File.Exists("/usr/bin/npm"));
        var cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mlops-tests", package + "-" + version);
        var marker = Path.Combine(cache, "installed");
        if (File.Exists(marker))
        {
            return cache;
        }

        Directory.CreateDirectory(cache);
        using (Lock(Path.Combine(cache, ".lock")))
        {
            if (!File.Exists(marker))
            {
                DebianPackage.Run("npm", $"install --prefix {cache} --no-audit --no-fund --loglevel=error {package}@{version}", TimeSpan.FromMinutes(10));
                File.WriteAllText(marker, version);
            }
        }

        return cache;
    }

    public static bool Accepts(int port)
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
}
