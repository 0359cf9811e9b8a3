using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Vhpc.Posix.Interop;

namespace Vhpc.Posix;

/// <summary>
/// Opening a file for reading without ever blocking in open(2) (opening a FIFO for reading would wait
/// for a writer forever), and the type of what was opened: what reading an untrusted directory safely needs.
/// </summary>
public static unsafe class NonBlockingFile
{
    // Generic Linux values (x86-64 and arm64 alike).
    private const int OReadOnly = 0;
    private const int ONoCtty = 0x100;
    private const int ONonBlock = 0x800;
    private const int OCloseOnExec = 0x80000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const int StatxSize = 256;
    private const uint FileTypeMask = 0xF000;

    /// <summary>Opens <paramref name="path"/> read-only with O_NONBLOCK (symlinks followed); an invalid handle and the errno on failure.</summary>
    public static SafeFileHandle OpenForReading(string path, out int errno)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fd = NativeMethods.open(path, OReadOnly | ONonBlock | ONoCtty | OCloseOnExec);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return new SafeFileHandle(fd, ownsHandle: fd >= 0);
    }

    /// <summary>The type of the file an open descriptor refers to (statx with AT_EMPTY_PATH), or null with the errno when statx fails.</summary>
    public static FileKind? KindOf(SafeFileHandle handle, out int errno)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var buffer = stackalloc byte[StatxSize];
        new Span<byte>(buffer, StatxSize).Clear();
        if (NativeMethods.statx(handle, "", AtEmptyPath, StatxType, buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        errno = 0;

        // struct statx: stx_mode (u16) at 28, the same on every architecture.
        return (*(ushort*)(buffer + 28) & FileTypeMask) switch
        {
            0x8000 => FileKind.RegularFile,
            0x4000 => FileKind.Directory,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            0xA000 => FileKind.SymbolicLink,
            _ => FileKind.Other,
        };
    }
}
