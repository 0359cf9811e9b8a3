namespace Vhpc.Provisioning.Xml;

/// <summary>The libvirt domain type the engine defines guests with.</summary>
internal enum DomainType
{
    /// <summary>Hardware virtualization; only when KVM really works.</summary>
    Kvm,

    /// <summary>QEMU's TCG emulator: slower, works everywhere.</summary>
    Qemu,

    /// <summary>libvirt's in-memory test driver (test:///default), used by the engine's own tests.</summary>
    Test,
}

/// <summary>
/// What the connected host gives guests: the domain type and matching CPU mode
/// (<c>host-passthrough</c> needs KVM; under TCG <c>maximum</c> is the equivalent), plus arch and machine.
/// </summary>
internal sealed record HostPlatform(DomainType Type, string? Arch, string? Machine, string Reason)
{
    public string DomainTypeName => Type switch
    {
        DomainType.Kvm => "kvm",
        DomainType.Qemu => "qemu",
        _ => "test",
    };

    public string CpuMode => Type == DomainType.Kvm ? "host-passthrough" : "maximum";
}
