using System.Runtime.InteropServices;
using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt;

/// <summary>
/// The one virConnectDomainEventRegisterAny registration of a connection; it hands every event to the
/// connection, which fans it out to the subscribed handlers. The registration is reached through a
/// GCHandle passed as libvirt's opaque pointer and freed in libvirt's free callback, so it stays alive
/// exactly as long as libvirt may call it (a delegate handed to native code could be collected meanwhile).
/// </summary>
internal sealed unsafe class DomainLifecycleSubscription
{
    private const int LifecycleEventId = 0; // VIR_DOMAIN_EVENT_ID_LIFECYCLE

    private readonly Connection _connection;
    private int _callbackId = -1;

    private DomainLifecycleSubscription(Connection connection)
    {
        _connection = connection;
    }

    internal static DomainLifecycleSubscription Register(Connection connection)
    {
        var subscription = new DomainLifecycleSubscription(connection);
        var target = GCHandle.Alloc(subscription);
        var id = NativeMethods.virConnectDomainEventRegisterAny(
            connection.Handle, 0, LifecycleEventId, &OnLifecycle, GCHandle.ToIntPtr(target), &OnFree);
        if (id < 0)
        {
            var error = LibvirtError.Last("virConnectDomainEventRegisterAny");
            // libvirt does not call the free callback when registration fails.
            target.Free();
            throw error;
        }

        subscription._callbackId = id;
        return subscription;
    }

    /// <summary>
    /// Deregisters. On a connection whose daemon is gone the remote call fails although libvirt has
    /// already dropped the callback locally; that is not an error worth failing a close for.
    /// </summary>
    internal void Unregister(bool throwOnError)
    {
        var id = Interlocked.Exchange(ref _callbackId, -1);
        if (id < 0 || _connection.Handle.IsClosed)
        {
            return;
        }

        if (NativeMethods.virConnectDomainEventDeregisterAny(_connection.Handle, id) < 0)
        {
            var error = LibvirtError.Last("virConnectDomainEventDeregisterAny");
            if (throwOnError && !error.IsConnectionLost)
            {
                throw error;
            }
        }
    }

    [UnmanagedCallersOnly]
    private static void OnLifecycle(nint conn, nint dom, int evt, int detail, nint opaque)
    {
        if (GCHandle.FromIntPtr(opaque).Target is not DomainLifecycleSubscription subscription)
        {
            return;
        }

        try
        {
            // The name belongs to the domain object libvirt passes in: copy it.
            var name = Utf8.Borrowed(NativeMethods.virDomainGetNameRaw(dom)) ?? string.Empty;
            subscription._connection.DispatchLifecycle(new DomainLifecycleEvent(name, (DomainLifecycleEventType)evt, detail));
        }
        catch (Exception ex)
        {
            // An exception must not unwind into libvirt's C frames (the process would die).
            subscription._connection.ReportCallbackFailure(ex);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnFree(nint opaque) => GCHandle.FromIntPtr(opaque).Free();
}
