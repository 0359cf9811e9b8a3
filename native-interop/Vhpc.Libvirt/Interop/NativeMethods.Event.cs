using System.Runtime.InteropServices;
using Vhpc.Libvirt.Handles;

namespace Vhpc.Libvirt.Interop;

internal static unsafe partial class NativeMethods
{
    /// <summary>Must run before the first connection is opened, or connections get no events.</summary>
    [LibraryImport(Library)]
    internal static partial int virEventRegisterDefaultImpl();

    /// <summary>Runs one iteration; blocks until a handle or timer fires.</summary>
    [LibraryImport(Library)]
    internal static partial int virEventRunDefaultImpl();

    /// <summary>cb: void (*)(int timer, void *opaque).</summary>
    [LibraryImport(Library)]
    internal static partial int virEventAddTimeout(
        int timeout, delegate* unmanaged<int, nint, void> cb, nint opaque, delegate* unmanaged<nint, void> ff);

    [LibraryImport(Library)]
    internal static partial int virEventRemoveTimeout(int timer);

    /// <summary>
    /// cb is the lifecycle signature void (*)(virConnectPtr, virDomainPtr, int event, int detail, void *opaque),
    /// passed as libvirt's generic callback type.
    /// </summary>
    [LibraryImport(Library)]
    internal static partial int virConnectDomainEventRegisterAny(
        ConnectionHandle conn,
        nint dom,
        int eventID,
        delegate* unmanaged<nint, nint, int, int, nint, void> cb,
        nint opaque,
        delegate* unmanaged<nint, void> freecb);

    [LibraryImport(Library)]
    internal static partial int virConnectDomainEventDeregisterAny(ConnectionHandle conn, int callbackID);
}
