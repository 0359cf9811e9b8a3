namespace Vhpc.Libvirt;

/// <summary>libvirt's virNetworkXMLFlags.</summary>
[Flags]
public enum NetworkXmlFlags
{
    None = 0,
    Inactive = 1,
}
