using System.Runtime.InteropServices;
using Vhpc.Posix.Interop;

namespace Vhpc.Posix;

/// <summary>Owner and group of a file, which .NET cannot set.</summary>
public static class FileOwnership
{
    /// <summary>Gives <paramref name="path"/> to group <paramref name="group"/>, keeping its owner (chown with owner -1). Returns 0 or errno.</summary>
    public static int ChangeGroup(string path, uint group)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return NativeMethods.chown(path, uint.MaxValue, group) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }
}
