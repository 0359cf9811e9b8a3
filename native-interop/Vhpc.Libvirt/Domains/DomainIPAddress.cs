using System.Net;

namespace Vhpc.Libvirt;

/// <summary>One address of a guest interface.</summary>
public sealed record DomainIPAddress(IPAddressType Type, IPAddress Address, int Prefix);
