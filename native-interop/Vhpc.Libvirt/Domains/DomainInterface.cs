namespace Vhpc.Libvirt;

/// <summary>A guest network interface as reported by virDomainInterfaceAddresses.</summary>
public sealed record DomainInterface(string Name, string? HardwareAddress, IReadOnlyList<DomainIPAddress> Addresses);
