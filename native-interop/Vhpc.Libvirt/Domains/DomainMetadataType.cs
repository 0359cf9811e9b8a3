namespace Vhpc.Libvirt;

/// <summary>libvirt's virDomainMetadataType.</summary>
public enum DomainMetadataType
{
    Description = 0,
    Title = 1,
    Element = 2,
}
