using System.Net;

namespace Vhpc.Guests.Leases;

/// <summary>
/// One DHCP lease as the network's DHCP server reports it. <paramref name="Expiry"/> is the Unix epoch
/// for a lease that never expires (libvirt reports infinite leases as 0).
/// </summary>
public sealed record GuestLease(string Mac, IPAddress Address, DateTimeOffset Expiry, string? Hostname);
