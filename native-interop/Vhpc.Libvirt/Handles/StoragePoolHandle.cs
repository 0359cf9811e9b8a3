using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt.Handles;

/// <summary>A virStoragePoolPtr, released with virStoragePoolFree (which drops libvirt's reference; the object may live on).</summary>
internal sealed class StoragePoolHandle : LibvirtHandle
{
    protected override bool ReleaseHandle() => NativeMethods.virStoragePoolFree(handle) == 0;
}
