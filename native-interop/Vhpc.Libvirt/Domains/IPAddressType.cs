namespace Vhpc.Libvirt;

/// <summary>libvirt's virIPAddrType.</summary>
public enum IPAddressType
{
    IPv4 = 0,
    IPv6 = 1,
}
