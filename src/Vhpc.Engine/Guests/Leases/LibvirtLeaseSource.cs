using Vhpc.Libvirt;

namespace Vhpc.Engine.Guests.Leases;

/// <summary>Leases straight from libvirt (virNetworkGetDHCPLeases), the network looked up per call
/// so that a network recreated meanwhile is still found.</summary>
public sealed class LibvirtLeaseSource(Connection connection) : ILeaseSource
{
    public IReadOnlyList<DhcpLease> GetLeases(string networkName)
    {
        using var network = connection.LookupNetwork(networkName)
            ?? throw new InvalidOperationException($"Network {networkName} does not exist (any more): no lease can come from it.");
        return network.GetDhcpLeases();
    }
}
