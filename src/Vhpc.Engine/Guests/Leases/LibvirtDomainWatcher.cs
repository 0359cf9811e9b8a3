using Vhpc.Libvirt;

namespace Vhpc.Engine.Guests.Leases;

/// <summary>Domain state and stop events from libvirt (virDomainGetState, lifecycle events).</summary>
public sealed class LibvirtDomainWatcher(Connection connection) : IDomainWatcher
{
    public string? WhyNotRunning(string domainName)
    {
        using var domain = connection.LookupDomain(domainName);
        if (domain is null)
        {
            return "is not defined";
        }

        return domain.GetState() switch
        {
            DomainState.Running or DomainState.Blocked or DomainState.Paused => null,
            DomainState.Shutoff => "is shut off",
            DomainState.Crashed => "crashed",
            DomainState.Shutdown => "is shutting down",
            DomainState.PMSuspended => "is suspended by the guest",
            var other => $"is in state {other}",
        };
    }

    public IDisposable SubscribeStopped(string domainName, Action<string> onStopped)
    {
        ArgumentNullException.ThrowIfNull(onStopped);
        // The binding fans one native registration out to every node waiting on this connection.
        return connection.SubscribeDomainLifecycle(e =>
        {
            if (e.DomainName == domainName && Describe(e) is { } reason)
            {
                onStopped(reason);
            }
        });
    }

    /// <summary>Lifecycle events that end a boot; detail codes are libvirt's virDomainEvent*DetailType.</summary>
    internal static string? Describe(DomainLifecycleEvent e) => e.Event switch
    {
        DomainLifecycleEventType.Stopped => e.Detail switch
        {
            0 => "shut down (the guest powered off)",
            1 => "was destroyed",
            2 => "crashed",
            3 => "was migrated away",
            4 => "was saved",
            5 => "failed (the emulator exited)",
            6 => "was snapshotted",
            _ => "stopped",
        },
        // Detail 2 (SHUTDOWN_HOST): qemu stopped at the host's request; a destroy sends this before STOPPED.
        DomainLifecycleEventType.Shutdown when e.Detail == 2 => "was stopped from the host (destroyed, or its qemu process was signalled)",
        DomainLifecycleEventType.Shutdown => "shut down (the guest powered off, or rebooted or panicked with on_reboot=destroy)",
        DomainLifecycleEventType.Crashed => "crashed (guest panic)",
        DomainLifecycleEventType.Undefined => "was undefined",
        _ => null,
    };
}
