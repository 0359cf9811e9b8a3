namespace Vhpc.Libvirt;

/// <summary>libvirt's virStorageXMLFlags.</summary>
[Flags]
public enum StorageXmlFlags
{
    None = 0,
    Inactive = 1,
}
