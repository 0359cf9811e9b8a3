using System.Runtime.InteropServices;
using Vhpc.Posix.Interop;

namespace Vhpc.Posix;

/// <summary>Owner and group of a file, which .NET can neither read nor set.</summary>
public static unsafe class FileOwnership
{
    private const int AtFdCwd = -100;
    private const uint StatxGid = 0x10;
    private const int StatxSize = 256;

    /// <summary>Gives <paramref name="path"/> to group <paramref name="group"/>, keeping its owner (chown with owner -1). Returns 0 or errno.</summary>
    public static int ChangeGroup(string path, uint group)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return NativeMethods.chown(path, uint.MaxValue, group) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>The id of the group that owns <paramref name="path"/> (statx, symlinks followed), or null when it cannot be read.</summary>
    public static uint? GroupOf(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var buffer = stackalloc byte[StatxSize];
        new Span<byte>(buffer, StatxSize).Clear();
        if (NativeMethods.statx(AtFdCwd, path, 0, StatxGid, buffer) != 0)
        {
            return null;
        }

        // struct statx: stx_mask (u32) at 0, stx_gid (u32) at 24, the same on every architecture.
        return (*(uint*)buffer & StatxGid) != 0 ? *(uint*)(buffer + 24) : null;
    }
}
