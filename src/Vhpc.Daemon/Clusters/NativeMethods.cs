using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Vhpc.Daemon.Clusters;

/// <summary>
/// The two libc calls reading clusters.d safely needs and .NET has no API for: open(2) with O_NONBLOCK
/// (opening a FIFO for reading must not wait for a writer) and the file type of the opened descriptor
/// (statx; .NET reports neither FIFOs nor devices). Pointers stay in this file.
/// </summary>
internal static unsafe partial class NativeMethods
{
    // Generic Linux values (x86-64 and arm64 alike).
    private const int OReadOnly = 0;
    private const int ONoCtty = 0x100;
    private const int ONonBlock = 0x800;
    private const int OCloseOnExec = 0x80000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const int StatxSize = 256;

    /// <summary>S_IFMT and the file types of stat's mode.</summary>
    internal const uint FileTypeMask = 0xF000;
    internal const uint RegularFile = 0x8000;
    internal const uint Directory = 0x4000;
    internal const uint CharacterDevice = 0x2000;
    internal const uint BlockDevice = 0x6000;
    internal const uint Fifo = 0x1000;
    internal const uint Socket = 0xC000;
    internal const uint SymbolicLink = 0xA000;

    /// <summary>Opens <paramref name="path"/> read-only without ever blocking in open(2); an invalid handle and the errno on failure.</summary>
    internal static SafeFileHandle OpenNonBlocking(string path, out int errno)
    {
        var fd = Open(path, OReadOnly | ONonBlock | ONoCtty | OCloseOnExec);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return new SafeFileHandle(fd, ownsHandle: fd >= 0);
    }

    /// <summary>The S_IFMT bits of an open descriptor (statx with AT_EMPTY_PATH), or null with the errno when statx fails.</summary>
    internal static uint? FileType(SafeFileHandle handle, out int errno)
    {
        var buffer = stackalloc byte[StatxSize];
        new Span<byte>(buffer, StatxSize).Clear();
        if (Statx(handle, "", AtEmptyPath, StatxType, buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        errno = 0;

        // struct statx: stx_mode (u16) at 28, the same on every architecture.
        return *(ushort*)(buffer + 28) & FileTypeMask;
    }

    // open is variadic (the mode); without O_CREAT it is never read, so the fixed two-argument form is exact.
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(SafeHandle directoryFd, string path, int flags, uint mask, byte* buffer);
}
