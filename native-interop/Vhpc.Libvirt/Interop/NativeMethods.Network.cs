using System.Runtime.InteropServices;
using Vhpc.Libvirt.Handles;

namespace Vhpc.Libvirt.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial NetworkHandle virNetworkDefineXML(ConnectionHandle conn, string xml);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial NetworkHandle virNetworkLookupByName(ConnectionHandle conn, string name);

    [LibraryImport(Library)]
    internal static partial int virConnectListAllNetworks(ConnectionHandle conn, nint** nets, uint flags);

    [LibraryImport(Library)]
    internal static partial int virNetworkFree(nint network);

    /// <summary>libvirt keeps the string.</summary>
    [LibraryImport(Library)]
    internal static partial byte* virNetworkGetName(NetworkHandle network);

    [LibraryImport(Library)]
    internal static partial int virNetworkGetUUIDString(NetworkHandle network, byte* buf);

    [LibraryImport(Library)]
    internal static partial int virNetworkIsActive(NetworkHandle network);

    [LibraryImport(Library)]
    internal static partial int virNetworkCreate(NetworkHandle network);

    [LibraryImport(Library)]
    internal static partial int virNetworkDestroy(NetworkHandle network);

    [LibraryImport(Library)]
    internal static partial int virNetworkUndefine(NetworkHandle network);

    [LibraryImport(Library)]
    internal static partial int virNetworkSetAutostart(NetworkHandle network, int autostart);

    [LibraryImport(Library)]
    internal static partial int virNetworkGetAutostart(NetworkHandle network, int* autostart);

    /// <summary>Caller frees.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial string? virNetworkGetXMLDesc(NetworkHandle network, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virNetworkUpdate(
        NetworkHandle network, uint command, uint section, int parentIndex, string xml, uint flags);

    /// <summary>
    /// Fills a caller-freed array of virNetworkDHCPLease pointers (layout in DhcpLeaseNative); each
    /// element is freed with virNetworkDHCPLeaseFree.
    /// </summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virNetworkGetDHCPLeases(NetworkHandle network, string? mac, nint** leases, uint flags);

    [LibraryImport(Library)]
    internal static partial void virNetworkDHCPLeaseFree(nint lease);
}
