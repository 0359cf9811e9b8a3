using Vhpc.Guests.Leases;
using Vhpc.Libvirt;
using Vhpc.Spec.Layout;

namespace Vhpc.Provisioning;

/// <summary>
/// The guests layer's view of libvirt for lease waits, over one connection: leases from
/// virNetworkGetDHCPLeases (the network looked up per call, so one recreated meanwhile is still found),
/// domain state from virDomainGetState and stop events from lifecycle callbacks, the console log through
/// its pool volume. A lost or closed
/// connection is reported as <see cref="HypervisorConnectionLostException"/> with libvirt's message.
/// </summary>
/// <param name="owner">The connection's lease, released with the view; null when the caller keeps the connection.</param>
internal sealed class LibvirtHypervisorView(Connection connection, IDisposable? owner = null) : IHypervisorView
{
    public IReadOnlyList<GuestLease> GetLeases(string networkName) => Translate(() =>
    {
        using var network = connection.LookupNetwork(networkName)
            ?? throw new InvalidOperationException($"Network {networkName} does not exist (any more): no lease can come from it.");
        return (IReadOnlyList<GuestLease>)network.GetDhcpLeases()
            .Select(l => new GuestLease(l.Mac, l.IPAddress, l.ExpiryTime, l.Hostname))
            .ToList();
    });

    public string? WhyNotRunning(string domainName) => Translate(() =>
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
    });

    public IDisposable SubscribeStopped(string domainName, Action<string> onStopped)
    {
        ArgumentNullException.ThrowIfNull(onStopped);
        // The binding fans one native registration out to every node waiting on this connection.
        return Translate(() => connection.SubscribeDomainLifecycle(e =>
        {
            if (e.DomainName == domainName && Describe(e) is { } reason)
            {
                onStopped(reason);
            }
        }));
    }

    public Task<long?> GetLengthAsync(ConsoleLogVolume log, CancellationToken cancellationToken) =>
        Task.FromResult(Translate(() => ConsoleLogVolumes.Length(connection, log)));

    public async Task<byte[]> ReadAsync(ConsoleLogVolume log, long offset, int count, CancellationToken cancellationToken)
    {
        try
        {
            return await ConsoleLogVolumes.ReadAsync(connection, log, offset, count, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectionLost(e))
        {
            throw new HypervisorConnectionLostException(e.Message, e);
        }
    }

    public void Dispose() => owner?.Dispose();

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

    /// <summary>A closed connection (the provider replaced it) or one libvirt reports as gone.</summary>
    internal static bool IsConnectionLost(Exception e) =>
        e is ObjectDisposedException || (e is LibvirtException libvirt && libvirt.IsConnectionLost);

    private static T Translate<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (IsConnectionLost(e))
        {
            throw new HypervisorConnectionLostException(e.Message, e);
        }
    }
}
