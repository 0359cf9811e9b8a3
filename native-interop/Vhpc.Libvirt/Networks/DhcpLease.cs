using System.Net;

namespace Vhpc.Libvirt;

/// <summary>One DHCP lease of a libvirt network (virNetworkDHCPLease).</summary>
public sealed record DhcpLease(
    string Interface,
    DateTimeOffset ExpiryTime,
    IPAddressType Type,
    string Mac,
    IPAddress IPAddress,
    int Prefix,
    string? Hostname,
    string? ClientId,
    string? Iaid = null);
