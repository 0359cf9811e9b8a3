using Vhpc.Libvirt;

namespace Vhpc.Engine.Guests.Leases;

/// <summary>The DHCP leases a network's dnsmasq has handed out (virNetworkGetDHCPLeases).</summary>
public interface ILeaseSource
{
    /// <summary>Every lease of <paramref name="networkName"/>; the waiter matches MACs itself.</summary>
    IReadOnlyList<DhcpLease> GetLeases(string networkName);
}
