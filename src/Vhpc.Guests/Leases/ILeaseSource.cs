namespace Vhpc.Guests.Leases;

/// <summary>The DHCP leases a network's DHCP server has handed out.</summary>
public interface ILeaseSource
{
    /// <summary>Every lease of <paramref name="networkName"/>; the waiter matches MACs itself.</summary>
    IReadOnlyList<GuestLease> GetLeases(string networkName);
}
