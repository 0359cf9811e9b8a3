using Vhpc.Posix.Interop;

namespace Vhpc.Posix;

/// <summary>Which file a descriptor is open on, as st_dev and st_ino (what JOURNAL_STREAM names).</summary>
public static unsafe class FileIdentity
{
    private const int AtEmptyPath = 0x1000;
    private const uint StatxIno = 0x100;
    private const int StatxSize = 256;

    /// <summary>st_dev and st_ino of an open descriptor (statx with AT_EMPTY_PATH), or null when statx fails.</summary>
    public static (ulong Device, ulong Inode)? OfDescriptor(int descriptor)
    {
        var buffer = stackalloc byte[StatxSize];
        new Span<byte>(buffer, StatxSize).Clear();
        if (NativeMethods.statx(descriptor, "", AtEmptyPath, StatxIno, buffer) != 0)
        {
            return null;
        }

        // struct statx (native byte order): stx_ino at 32, stx_dev_major/minor at 136/140, the same on every architecture.
        var inode = *(ulong*)(buffer + 32);
        ulong major = *(uint*)(buffer + 136);
        ulong minor = *(uint*)(buffer + 140);

        // glibc's makedev(): what st_dev, and so JOURNAL_STREAM, holds.
        var device = ((major & 0x00000fffUL) << 8) | ((major & 0xfffff000UL) << 32)
            | (minor & 0x000000ffUL) | ((minor & 0xffffff00UL) << 12);
        return (device, inode);
    }
}
