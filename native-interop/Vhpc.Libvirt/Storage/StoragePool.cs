using Vhpc.Libvirt.Handles;
using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt;

/// <summary>A libvirt storage pool. Dispose it to drop its reference on the connection.</summary>
public sealed unsafe class StoragePool : IDisposable
{
    private readonly StoragePoolHandle _handle;

    internal StoragePool(Connection connection, StoragePoolHandle handle)
    {
        Connection = connection;
        _handle = handle;
        Name = Utf8.BorrowedName(NativeMethods.virStoragePoolGetName(handle), "virStoragePoolGetName");
    }

    public Connection Connection { get; }

    public string Name { get; }

    public Guid Uuid => Interop.Uuid.Read(buffer => NativeMethods.virStoragePoolGetUUIDString(_handle, buffer), "virStoragePoolGetUUIDString");

    public bool IsActive => LibvirtError.Check(NativeMethods.virStoragePoolIsActive(_handle), "virStoragePoolIsActive") == 1;

    public bool Autostart
    {
        get
        {
            int autostart;
            LibvirtError.Check(NativeMethods.virStoragePoolGetAutostart(_handle, &autostart), "virStoragePoolGetAutostart");
            return autostart != 0;
        }
    }

    /// <summary>Prepares the pool's backing (for a dir pool: creates the directory).</summary>
    public void Build(StoragePoolBuildFlags flags = StoragePoolBuildFlags.New) =>
        LibvirtError.Check(NativeMethods.virStoragePoolBuild(_handle, (uint)flags), "virStoragePoolBuild");

    /// <summary>Starts the defined pool.</summary>
    public void Create() => LibvirtError.Check(NativeMethods.virStoragePoolCreate(_handle, 0), "virStoragePoolCreate");

    public void Destroy() => LibvirtError.Check(NativeMethods.virStoragePoolDestroy(_handle), "virStoragePoolDestroy");

    /// <summary>
    /// Removes the pool's storage on the host (for a dir pool: its now empty directory). The pool must be
    /// inactive; libvirt refuses while volumes remain.
    /// </summary>
    public void Delete() => LibvirtError.Check(NativeMethods.virStoragePoolDelete(_handle, 0), "virStoragePoolDelete");

    public void Undefine() => LibvirtError.Check(NativeMethods.virStoragePoolUndefine(_handle), "virStoragePoolUndefine");

    public void SetAutostart(bool autostart) =>
        LibvirtError.Check(NativeMethods.virStoragePoolSetAutostart(_handle, autostart ? 1 : 0), "virStoragePoolSetAutostart");

    /// <summary>Rescans the pool's backing for volumes created or removed behind libvirt's back.</summary>
    public void Refresh() => LibvirtError.Check(NativeMethods.virStoragePoolRefresh(_handle, 0), "virStoragePoolRefresh");

    public string GetXml(StorageXmlFlags flags = StorageXmlFlags.None) =>
        LibvirtError.Check(NativeMethods.virStoragePoolGetXMLDesc(_handle, (uint)flags), "virStoragePoolGetXMLDesc");

    /// <summary>Creates a volume; fails with <see cref="ErrorCode.StorageVolExist"/> if the name is taken.</summary>
    public StorageVolume CreateVolume(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        return new StorageVolume(Connection, LibvirtError.Check(
            NativeMethods.virStorageVolCreateXML(_handle, xml, 0), "virStorageVolCreateXML"));
    }

    /// <summary>The volume, or null when the pool has none with that name.</summary>
    public StorageVolume? LookupVolume(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var volume = LibvirtError.CheckOrNullIfNotFound(
            NativeMethods.virStorageVolLookupByName(_handle, name), "virStorageVolLookupByName");
        return volume is null ? null : new StorageVolume(Connection, volume);
    }

    public IReadOnlyList<StorageVolume> ListVolumes()
    {
        nint* volumes;
        var count = LibvirtError.Check(
            NativeMethods.virStoragePoolListAllVolumes(_handle, &volumes, 0), "virStoragePoolListAllVolumes");
        return NativeList.Take<StorageVolumeHandle, StorageVolume>(count, volumes, h => new StorageVolume(Connection, h));
    }

    public void Dispose() => _handle.Dispose();

    public override string ToString() => Name;
}
