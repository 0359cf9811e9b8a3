using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt.Handles;

/// <summary>A virNetworkPtr, released with virNetworkFree (which drops libvirt's reference; the object may live on).</summary>
internal sealed class NetworkHandle : LibvirtHandle
{
    protected override bool ReleaseHandle() => NativeMethods.virNetworkFree(handle) == 0;
}
