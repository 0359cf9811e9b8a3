using System.Runtime.InteropServices;
using Vhpc.Libvirt.Handles;

namespace Vhpc.Libvirt.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial DomainHandle virDomainDefineXML(ConnectionHandle conn, string xml);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial DomainHandle virDomainLookupByName(ConnectionHandle conn, string name);

    /// <summary>Fills a caller-freed array of domain pointers, each of which the caller must free.</summary>
    [LibraryImport(Library)]
    internal static partial int virConnectListAllDomains(ConnectionHandle conn, nint** domains, uint flags);

    [LibraryImport(Library)]
    internal static partial int virDomainFree(nint domain);

    /// <summary>libvirt keeps the string (it lives as long as the domain object).</summary>
    [LibraryImport(Library)]
    internal static partial byte* virDomainGetName(DomainHandle domain);

    /// <summary>Variant for callbacks, where libvirt hands a raw pointer it keeps.</summary>
    [LibraryImport(Library, EntryPoint = "virDomainGetName")]
    internal static partial byte* virDomainGetNameRaw(nint domain);

    [LibraryImport(Library)]
    internal static partial int virDomainGetUUIDString(DomainHandle domain, byte* buf);

    [LibraryImport(Library)]
    internal static partial int virDomainGetState(DomainHandle domain, int* state, int* reason, uint flags);

    [LibraryImport(Library)]
    internal static partial int virDomainIsActive(DomainHandle domain);

    [LibraryImport(Library)]
    internal static partial int virDomainCreate(DomainHandle domain);

    [LibraryImport(Library)]
    internal static partial int virDomainDestroy(DomainHandle domain);

    [LibraryImport(Library)]
    internal static partial int virDomainShutdown(DomainHandle domain);

    [LibraryImport(Library)]
    internal static partial int virDomainUndefineFlags(DomainHandle domain, uint flags);

    /// <summary>Caller frees.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial string? virDomainGetXMLDesc(DomainHandle domain, uint flags);

    /// <summary>Caller frees.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial string? virDomainGetMetadata(DomainHandle domain, int type, string? uri, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int virDomainSetMetadata(
        DomainHandle domain, int type, string? metadata, string? key, string? uri, uint flags);

    /// <summary>
    /// Fills a caller-freed array of virDomainInterface pointers (layout in DomainInterfaceNative);
    /// each element is freed with virDomainInterfaceFree.
    /// </summary>
    [LibraryImport(Library)]
    internal static partial int virDomainInterfaceAddresses(DomainHandle domain, nint** ifaces, uint source, uint flags);

    [LibraryImport(Library)]
    internal static partial void virDomainInterfaceFree(nint iface);
}
