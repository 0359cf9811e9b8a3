using Vhpc.Libvirt.Handles;
using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt;

/// <summary>A libvirt storage pool. Dispose it to drop its reference on the connection.</summary>
public sealed unsafe class StoragePool : IDisposable
{
    private readonly StoragePoolHandle handle;

    internal StoragePool(Connection connection, StoragePoolHandle handle)
    {
        Connection = connection;
        this.handle = handle;
        Name = Utf8.BorrowedName(NativeMethods.virStoragePoolGetName(handle), "virStoragePoolGetName");
    }

    public Connection Connection { get; }

    public string Name { get; }

    public Guid Uuid => Interop.Uuid.Read(buffer => NativeMethods.virStoragePoolGetUUIDString(handle, buffer), "virStoragePoolGetUUIDString");

    public bool IsActive => LibvirtError.Check(NativeMethods.virStoragePoolIsActive(handle), "virStoragePoolIsActive") == 1;

    public bool Autostart
    {
        get
        {
            int autostart;
            LibvirtError.Check(NativeMethods.virStoragePoolGetAutostart(handle, &autostart), "virStoragePoolGetAutostart");
            return autostart != 0;
        }
    }

    /// <summary>Prepares the pool's backing (for a dir pool: creates the directory).</summary>
    public void Build(StoragePoolBuildFlags flags = StoragePoolBuildFlags.New) =>
        LibvirtError.Check(NativeMethods.virStoragePoolBuild(handle, (uint)flags), "virStoragePoolBuild");

    /// <summary>Starts the defined pool.</summary>
    public void Create() => LibvirtError.Check(NativeMethods.virStoragePoolCreate(handle, 0), "virStoragePoolCreate");

    public void Destroy() => LibvirtError.Check(NativeMethods.virStoragePoolDestroy(handle), "virStoragePoolDestroy");

    public void Undefine() => LibvirtError.Check(NativeMethods.virStoragePoolUndefine(handle), "virStoragePoolUndefine");

    public void SetAutostart(bool autostart) =>
        LibvirtError.Check(NativeMethods.virStoragePoolSetAutostart(handle, autostart ? 1 : 0), "virStoragePoolSetAutostart");

    /// <summary>Rescans the pool's backing for volumes created or removed behind libvirt's back.</summary>
    public void Refresh() => LibvirtError.Check(NativeMethods.virStoragePoolRefresh(handle, 0), "virStoragePoolRefresh");

    public string GetXml(StorageXmlFlags flags = StorageXmlFlags.None) =>
        LibvirtError.Check(NativeMethods.virStoragePoolGetXMLDesc(handle, (uint)flags), "virStoragePoolGetXMLDesc");

    /// <summary>Creates a volume; fails with <see cref="ErrorCode.StorageVolExist"/> if the name is taken.</summary>
    public StorageVolume CreateVolume(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        return new StorageVolume(Connection, LibvirtError.Check(
            NativeMethods.virStorageVolCreateXML(handle, xml, 0), "virStorageVolCreateXML"));
    }

    /// <summary>The volume, or null when the pool has none with that name.</summary>
    public StorageVolume? LookupVolume(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        StorageVolumeHandle? volume = LibvirtError.CheckOrNullIfNotFound(
            NativeMethods.virStorageVolLookupByName(handle, name), "virStorageVolLookupByName");
        return volume is null ? null : new StorageVolume(Connection, volume);
    }

    public IReadOnlyList<StorageVolume> ListVolumes()
    {
        nint* volumes;
        int count = LibvirtError.Check(
            NativeMethods.virStoragePoolListAllVolumes(handle, &volumes, 0), "virStoragePoolListAllVolumes");
        return NativeList.Take<StorageVolumeHandle, StorageVolume>(count, volumes, h => new StorageVolume(Connection, h));
    }

    public void Dispose() => handle.Dispose();

    public override string ToString() => Name;
}
