namespace Vhpc.Libvirt;

/// <summary>libvirt's virStoragePoolBuildFlags.</summary>
[Flags]
public enum StoragePoolBuildFlags
{
    New = 0,
    Repair = 1,
    Resize = 2,
    NoOverwrite = 4,
    Overwrite = 8,
}
