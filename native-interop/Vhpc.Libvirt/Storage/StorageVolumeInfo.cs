namespace Vhpc.Libvirt;

/// <summary>virStorageVolInfo: type, logical size and bytes actually allocated on the host.</summary>
public sealed record StorageVolumeInfo(StorageVolumeType Type, ulong Capacity, ulong Allocation);
