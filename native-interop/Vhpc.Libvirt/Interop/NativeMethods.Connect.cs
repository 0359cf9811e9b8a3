using System.Runtime.InteropServices;
using Vhpc.Libvirt.Handles;

namespace Vhpc.Libvirt.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library)]
    internal static partial int virInitialize();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial ConnectionHandle virConnectOpen(string? name);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial ConnectionHandle virConnectOpenReadOnly(string? name);

    /// <summary>Returns the remaining reference count: 0 when the connection is really closed.</summary>
    [LibraryImport(Library)]
    internal static partial int virConnectClose(nint conn);

    /// <summary>Caller frees.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial string? virConnectGetURI(ConnectionHandle conn);

    /// <summary>Caller frees.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial string? virConnectGetHostname(ConnectionHandle conn);

    /// <summary>Caller frees.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial string? virConnectGetCapabilities(ConnectionHandle conn);

    /// <summary>Caller frees.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial string? virConnectGetDomainCapabilities(
        ConnectionHandle conn, string? emulatorbin, string? arch, string? machine, string? virttype, uint flags);

    // unsigned long is 64 bits on LP64 Linux.
    [LibraryImport(Library)]
    internal static partial int virConnectGetLibVersion(ConnectionHandle conn, ulong* libVer);

    [LibraryImport(Library)]
    internal static partial int virConnectGetVersion(ConnectionHandle conn, ulong* hvVer);

    [LibraryImport(Library)]
    internal static partial int virConnectIsAlive(ConnectionHandle conn);

    /// <summary>-1 error, 0 enabled, 1 the remote side does not support keepalive.</summary>
    [LibraryImport(Library)]
    internal static partial int virConnectSetKeepAlive(ConnectionHandle conn, int interval, uint count);

    /// <summary>cb: void (*)(virConnectPtr conn, int reason, void *opaque); freecb: void (*)(void *opaque).</summary>
    [LibraryImport(Library)]
    internal static partial int virConnectRegisterCloseCallback(
        ConnectionHandle conn,
        delegate* unmanaged<nint, int, nint, void> cb,
        nint opaque,
        delegate* unmanaged<nint, void> freecb);

    [LibraryImport(Library)]
    internal static partial int virConnectUnregisterCloseCallback(
        ConnectionHandle conn, delegate* unmanaged<nint, int, nint, void> cb);
}
