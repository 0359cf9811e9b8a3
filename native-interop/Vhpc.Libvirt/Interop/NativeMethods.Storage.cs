using System.Runtime.InteropServices;
using Vhpc.Libvirt.Handles;

namespace Vhpc.Libvirt.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial StoragePoolHandle virStoragePoolDefineXML(ConnectionHandle conn, string xml, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial StoragePoolHandle virStoragePoolLookupByName(ConnectionHandle conn, string name);

    [LibraryImport(Library)]
    internal static partial int virConnectListAllStoragePools(ConnectionHandle conn, nint** pools, uint flags);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolFree(nint pool);

    /// <summary>libvirt keeps the string.</summary>
    [LibraryImport(Library)]
    internal static partial byte* virStoragePoolGetName(StoragePoolHandle pool);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolGetUUIDString(StoragePoolHandle pool, byte* buf);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolIsActive(StoragePoolHandle pool);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolBuild(StoragePoolHandle pool, uint flags);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolCreate(StoragePoolHandle pool, uint flags);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolDestroy(StoragePoolHandle pool);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolUndefine(StoragePoolHandle pool);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolDelete(StoragePoolHandle pool, uint flags);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolSetAutostart(StoragePoolHandle pool, int autostart);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolGetAutostart(StoragePoolHandle pool, int* autostart);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolRefresh(StoragePoolHandle pool, uint flags);

    /// <summary>Caller frees.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial string? virStoragePoolGetXMLDesc(StoragePoolHandle pool, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial StorageVolumeHandle virStorageVolCreateXML(StoragePoolHandle pool, string xml, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial StorageVolumeHandle virStorageVolLookupByName(StoragePoolHandle pool, string name);

    [LibraryImport(Library)]
    internal static partial int virStoragePoolListAllVolumes(StoragePoolHandle pool, nint** vols, uint flags);

    [LibraryImport(Library)]
    internal static partial int virStorageVolFree(nint vol);

    /// <summary>libvirt keeps the string.</summary>
    [LibraryImport(Library)]
    internal static partial byte* virStorageVolGetName(StorageVolumeHandle vol);

    /// <summary>libvirt keeps the string.</summary>
    [LibraryImport(Library)]
    internal static partial byte* virStorageVolGetKey(StorageVolumeHandle vol);

    /// <summary>Caller frees.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial string? virStorageVolGetPath(StorageVolumeHandle vol);

    [LibraryImport(Library)]
    internal static partial int virStorageVolGetInfo(StorageVolumeHandle vol, StorageVolumeInfoNative* info);

    [LibraryImport(Library)]
    internal static partial int virStorageVolResize(StorageVolumeHandle vol, ulong capacity, uint flags);

    [LibraryImport(Library)]
    internal static partial int virStorageVolDelete(StorageVolumeHandle vol, uint flags);

    /// <summary>Caller frees.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial string? virStorageVolGetXMLDesc(StorageVolumeHandle vol, uint flags);

    [LibraryImport(Library)]
    internal static partial int virStorageVolUpload(
        StorageVolumeHandle vol, StreamHandle stream, ulong offset, ulong length, uint flags);

    /// <summary>length 0: from offset to the end of the volume.</summary>
    [LibraryImport(Library)]
    internal static partial int virStorageVolDownload(
        StorageVolumeHandle vol, StreamHandle stream, ulong offset, ulong length, uint flags);
}
