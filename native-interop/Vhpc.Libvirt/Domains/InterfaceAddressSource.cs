namespace Vhpc.Libvirt;

/// <summary>libvirt's virDomainInterfaceAddressesSource.</summary>
public enum InterfaceAddressSource
{
    /// <summary>The DHCP leases of libvirt's own networks.</summary>
    Lease = 0,

    /// <summary>The QEMU guest agent inside the guest.</summary>
    Agent = 1,

    /// <summary>The host's ARP table.</summary>
    Arp = 2,
}
