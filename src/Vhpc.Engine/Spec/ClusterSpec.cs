namespace Vhpc.Engine.Spec;

/// <summary>
/// A validated cluster spec (one YAML file per cluster). Instances come only from
/// <c>ClusterSpecLoader</c>, which rejects anything invalid before a spec exists, so the rest of the
/// engine can trust every field.
/// </summary>
public sealed record ClusterSpec
{
    /// <summary>Prefixes every libvirt object of this cluster; an RFC 1123 label.</summary>
    public required string Name { get; init; }

    /// <summary>DNS domain of the nodes (node FQDN = node name + "." + domain).</summary>
    public required string Domain { get; init; }

    /// <summary>libvirt URI (qemu:///system, qemu+ssh://host/system, test:///default).</summary>
    public required string Connect { get; init; }

    public required ImageSpec Image { get; init; }

    public required PoolSpec Pool { get; init; }

    public required NetworkSpec Network { get; init; }

    public required UserSpec User { get; init; }

    public required NodeGroupSpec Management { get; init; }

    public required NodeGroupSpec Workers { get; init; }

    public required VmSpec Vm { get; init; }

    /// <summary>Where the spec came from (file path), for messages.</summary>
    public string? SourcePath { get; init; }
}

public enum OsFamily
{
    Debian,
    RedHat,
}

/// <summary>The base image: a local path or an http(s) URL, optionally pinned by sha256.</summary>
public sealed record ImageSpec(string Source, string? Sha256, OsFamily OsFamily, DirectKernelBootSpec? Boot);

/// <summary>Optional direct kernel boot, as the Terraform provider allows.</summary>
public sealed record DirectKernelBootSpec(string Kernel, string? Initrd, string? Cmdline);

public sealed record PoolSpec(string Name, string Path);

public sealed record NetworkSpec(string Name, string Cidr, string? Bridge);

/// <summary>The service account; without a key file vhpcd generates a per-cluster key pair.</summary>
public sealed record UserSpec(string Name, string? SshPublicKeyFile);

public sealed record NodeGroupSpec(int Count, int Vcpu, int MemoryMiB, int DiskGiB);

public enum Accelerator
{
    Auto,
    Kvm,
    Qemu,
}

public enum GraphicsKind
{
    Spice,
    Vnc,
    None,
}

public sealed record VmSpec(Accelerator Accelerator, GraphicsKind Graphics);
