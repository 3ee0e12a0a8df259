using System.Diagnostics;

namespace MlOps.Sdk.Tests;

/// <summary>
/// Installs a Debian package the tests need when the machine lacks it, as the README promises: the test command alone
/// brings up what the suite uses. Needs root or password-less sudo; waits for another apt run to finish.
/// </summary>
internal static class DebianPackage
{
    private static readonly object Gate = new();

    /// <summary>Installs <paramref name="package"/> unless <paramref name="isPresent"/> already holds.</summary>
    public static void EnsureInstalled(string package, Func<bool> isPresent)
    {
        ArgumentNullException.ThrowIfNull(isPresent);
        lock (Gate)
        {
            if (isPresent())
            {
                return;
            }

            // Test projects run in parallel processes: one installs while the others wait, then find the package present.
            using var machineWide = AcquireMachineLock(TimeSpan.FromMinutes(20));
            if (isPresent())
            {
                return;
            }

            if (!File.Exists("/usr/bin/apt-get"))
            {
                throw new InvalidOperationException($"The tests need Debian package '{package}' and this machine has no apt-get: install it by hand.");
            }

            // sudo drops the environment: the variable goes through env, after it.
            var sudo = Environment.UserName == "root" ? string.Empty : "sudo -n ";
            Run("/bin/sh", $"-c \"{sudo}apt-get -o DPkg::Lock::Timeout=600 update -q && {sudo}env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends {package}\"", TimeSpan.FromMinutes(15));
            if (!isPresent())
            {
                throw new InvalidOperationException($"Debian package '{package}' installed, but what the tests need from it is still missing.");
            }
        }
    }

    private static FileStream AcquireMachineLock(TimeSpan timeout)
    {
        var path = Path.Combine(Path.GetTempPath(), "mlops-tests-apt.lock");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(500);
            }
        }
    }

    /// <summary>Runs a program to its end and returns what it printed; a non-zero exit is an exception with the output.</summary>
    public static string Run(string fileName, string arguments, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {arguments} did not finish in {timeout}.");
        }

        var output = stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {arguments} exited with {process.ExitCode}:\n{output}");
        }

        return output;
    }
}
