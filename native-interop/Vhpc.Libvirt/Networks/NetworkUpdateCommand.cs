namespace Vhpc.Libvirt;

/// <summary>libvirt's virNetworkUpdateCommand.</summary>
public enum NetworkUpdateCommand
{
    Modify = 1,
    Delete = 2,
    AddLast = 3,
    AddFirst = 4,
}
