using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt.Handles;

/// <summary>A virConnectPtr, released with virConnectClose.</summary>
internal sealed class ConnectionHandle : LibvirtHandle
{
    /// <summary>
    /// What virConnectClose returned: the references still held (by objects not yet freed or
    /// callbacks still registered), 0 when the connection is really gone, -1 on error.
    /// </summary>
    internal int CloseResult { get; private set; } = -1;

    protected override bool ReleaseHandle()
    {
        CloseResult = NativeMethods.virConnectClose(handle);
        return CloseResult >= 0;
    }
}
