using System.Runtime.InteropServices;

namespace MlOps.Sdk.Artifacts;

/// <summary>Makes renames and new directory entries survive a crash, which a file's own fsync does not cover.</summary>
internal static partial class DurableFile
{
    private const int ReadOnly = 0;

    /// <summary>Flushes a directory's entries (new names, renames) to disk.</summary>
    public static void FsyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // NTFS journals directory metadata; there is no directory handle to flush.
        }

        WithDirectory(directory, Fsync, "flush directory");
    }

    /// <summary>Flushes every file and directory of the file system holding <paramref name="directory"/>: one flush for many writes.</summary>
    public static void SyncFileSystem(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            FsyncDirectory(directory);
            return;
        }

        WithDirectory(directory, SyncFs, "flush the file system of");
    }

    /// <summary>Creates a hard link; returns the errno on failure (17 EEXIST, 18 EXDEV, 1 EPERM, ...), 0 on success.</summary>
    public static int HardLink(string existing, string link) => Link(existing, link) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Flushes a file's data and metadata to disk.</summary>
    public static void Fsync(Microsoft.Win32.SafeHandles.SafeFileHandle file)
    {
        if (Fsync((int)file.DangerousGetHandle()) != 0)
        {
            throw new IOException($"Could not flush a file to disk (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    private static void WithDirectory(string directory, Func<int, int> flush, string what)
    {
        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Could not open directory '{directory}' to {what} it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (flush(fd) != 0)
            {
                throw new IOException($"Could not {what} '{directory}' (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string link);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
