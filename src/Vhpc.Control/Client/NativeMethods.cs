using System.Runtime.InteropServices;

namespace Vhpc.Control.Client;

/// <summary>The one libc call the client needs and .NET has no API for: the group that owns a file (statx).</summary>
internal static unsafe partial class NativeMethods
{
    private const int AtFdCwd = -100;
    private const uint StatxGid = 0x10;
    private const int StatxSize = 256;

    /// <summary>The owning group id of <paramref name="path"/>, or null when it cannot be read.</summary>
    internal static uint? GroupIdOf(string path)
    {
        var buffer = stackalloc byte[StatxSize];
        new Span<byte>(buffer, StatxSize).Clear();
        if (Statx(AtFdCwd, path, 0, StatxGid, buffer) != 0)
        {
            return null;
        }

        // struct statx: stx_mask (u32) at 0, stx_gid (u32) at 24, the same on every architecture.
        return (*(uint*)buffer & StatxGid) != 0 ? *(uint*)(buffer + 24) : null;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, byte* buffer);
}
