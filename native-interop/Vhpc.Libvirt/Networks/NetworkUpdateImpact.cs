namespace Vhpc.Libvirt;

/// <summary>libvirt's virNetworkUpdateFlags: which definition an update applies to.</summary>
[Flags]
public enum NetworkUpdateImpact
{
    Current = 0,
    Live = 1,
    Config = 2,
}
