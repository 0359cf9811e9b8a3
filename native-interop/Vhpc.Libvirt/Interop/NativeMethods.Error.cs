using System.Runtime.InteropServices;

namespace Vhpc.Libvirt.Interop;

internal static unsafe partial class NativeMethods
{
    /// <summary>
    /// The calling thread's last error, owned by libvirt (thread-local; never freed here), or null.
    /// Every API call resets it on entry, so read it right after the failing call.
    /// </summary>
    [LibraryImport(Library)]
    internal static partial ErrorNative* virGetLastError();

    /// <summary>handler: void (*)(void *userData, virErrorPtr error). Only used to silence stderr.</summary>
    [LibraryImport(Library)]
    internal static partial void virSetErrorFunc(nint userData, delegate* unmanaged<nint, nint, void> handler);
}
