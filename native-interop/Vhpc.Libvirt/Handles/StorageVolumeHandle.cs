using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt.Handles;

/// <summary>A virStorageVolPtr, released with virStorageVolFree (which drops libvirt's reference; the object may live on).</summary>
internal sealed class StorageVolumeHandle : LibvirtHandle
{
    protected override bool ReleaseHandle() => NativeMethods.virStorageVolFree(handle) == 0;
}
