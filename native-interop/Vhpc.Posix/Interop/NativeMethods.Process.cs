using System.Runtime.InteropServices;

namespace Vhpc.Daemon.Control;

/// <summary>The two libc calls .NET has no API for: giving the socket its group, and our own uid.</summary>
internal static partial class NativeMethods
{
    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEffectiveUserId();
}
