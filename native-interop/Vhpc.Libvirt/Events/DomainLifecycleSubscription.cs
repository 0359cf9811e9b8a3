using System.Runtime.InteropServices;
using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt;

/// <summary>
/// One virConnectDomainEventRegisterAny registration. The handler is reached through a GCHandle passed
/// as libvirt's opaque pointer and freed in libvirt's free callback, so it stays alive exactly as
/// long as libvirt may call it (a delegate handed to native code could be collected meanwhile).
/// </summary>
internal sealed unsafe class DomainLifecycleSubscription : IDisposable
{
    private const int LifecycleEventId = 0; // VIR_DOMAIN_EVENT_ID_LIFECYCLE

    private readonly Connection connection;
    private readonly Action<DomainLifecycleEvent> handler;
    private int callbackId = -1;

    private DomainLifecycleSubscription(Connection connection, Action<DomainLifecycleEvent> handler)
    {
        this.connection = connection;
        this.handler = handler;
    }

    internal static DomainLifecycleSubscription Register(Connection connection, Action<DomainLifecycleEvent> handler)
    {
        var subscription = new DomainLifecycleSubscription(connection, handler);
        GCHandle target = GCHandle.Alloc(subscription);
        int id = NativeMethods.virConnectDomainEventRegisterAny(
            connection.Handle, 0, LifecycleEventId, &OnLifecycle, GCHandle.ToIntPtr(target), &OnFree);
        if (id < 0)
        {
            LibvirtException error = LibvirtError.Last("virConnectDomainEventRegisterAny");
            // libvirt does not call the free callback when registration fails.
            target.Free();
            throw error;
        }

        subscription.callbackId = id;
        return subscription;
    }

    public void Dispose()
    {
        connection.Forget(this);
        Unregister();
    }

    internal void Unregister()
    {
        int id = Interlocked.Exchange(ref callbackId, -1);
        if (id >= 0 && !connection.Handle.IsClosed)
        {
            LibvirtError.Check(
                NativeMethods.virConnectDomainEventDeregisterAny(connection.Handle, id),
                "virConnectDomainEventDeregisterAny");
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
            string name = Utf8.Borrowed(NativeMethods.virDomainGetNameRaw(dom)) ?? string.Empty;
            subscription.handler(new DomainLifecycleEvent(name, (DomainLifecycleEventType)evt, detail));
        }
        catch (Exception ex)
        {
            // An exception must not unwind into libvirt's C frames (the process would die).
            subscription.connection.ReportCallbackFailure(ex);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnFree(nint opaque) => GCHandle.FromIntPtr(opaque).Free();
}
