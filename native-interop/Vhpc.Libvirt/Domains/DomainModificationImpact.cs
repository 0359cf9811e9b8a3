namespace Vhpc.Libvirt;

/// <summary>libvirt's virDomainModificationImpact: which definition a change applies to.</summary>
[Flags]
public enum DomainModificationImpact
{
    /// <summary>The live definition if running, else the persistent one.</summary>
    Current = 0,
    Live = 1,
    Config = 2,
}
