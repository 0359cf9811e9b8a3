namespace Vhpc.Libvirt;

/// <summary>libvirt's virStorageVolResizeFlags.</summary>
[Flags]
public enum StorageVolumeResizeFlags
{
    None = 0,
    Allocate = 1,
    Delta = 2,
    Shrink = 4,
}
