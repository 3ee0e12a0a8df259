using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace MlOps.Sdk.Versioning.Datasets;

/// <summary>
/// What <c>stat(2)</c> says of a file and .NET does not expose: its inode (part of the snapshot cache key, so a replaced
/// file is re-hashed) and whether it is a regular file (a FIFO or device must not be read).
/// </summary>
internal static partial class FileIdentity
{
    private const uint TypeMask = 0xF000;
    private const uint RegularFile = 0x8000;

    public static (ulong Inode, bool IsRegular) Stat(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return (0, true);
        }

        Span<byte> buffer = stackalloc byte[256];
        if (StatNative(path, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            return (0, true);
        }

        // st_ino is at byte 8 on Linux x86-64 and arm64 and on macOS; st_mode is where each layout puts it.
        var inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer[8..]);
        uint? mode = OperatingSystem.IsMacOS() ? BinaryPrimitives.ReadUInt16LittleEndian(buffer[4..])
            : RuntimeInformation.ProcessArchitecture == Architecture.X64 ? BinaryPrimitives.ReadUInt32LittleEndian(buffer[24..])
            : RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? BinaryPrimitives.ReadUInt32LittleEndian(buffer[16..])
            : null;
        return (inode, mode is null || (mode.Value & TypeMask) == RegularFile);
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatNative(string path, ref byte buffer);
}
