using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt.Handles;

/// <summary>A virDomainPtr, released with virDomainFree (which drops libvirt's reference; the object may live on).</summary>
internal sealed class DomainHandle : LibvirtHandle
{
    protected override bool ReleaseHandle() => NativeMethods.virDomainFree(handle) == 0;
}
