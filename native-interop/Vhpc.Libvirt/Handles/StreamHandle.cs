using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt.Handles;

/// <summary>A virStreamPtr, released with virStreamFree (which drops libvirt's reference; the object may live on).</summary>
internal sealed class StreamHandle : LibvirtHandle
{
    protected override bool ReleaseHandle() => NativeMethods.virStreamFree(handle) == 0;
}
