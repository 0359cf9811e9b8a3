namespace Vhpc.Spec;

/// <summary>
/// A cluster spec (one YAML file per cluster). <c>ClusterSpecLoader</c> produces instances only after
/// <see cref="ClusterSpecValidator"/> accepted them; the engine validates again on entry because a spec
/// can also be built in code, so the rest of the engine can trust every field.
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

/// <summary>How the base image file is encoded; the base volume keeps that format.</summary>
public enum ImageFormat
{
    Qcow2,
    Raw,
}

/// <summary>
/// The base image: a path on the machine running the engine, or an http(s) URL, pinned by sha256
/// (required: the base volume's name carries the digest, which is how "uploaded once" is decided).
/// </summary>
public sealed record ImageSpec(string Source, string? Sha256, OsFamily OsFamily, DirectKernelBootSpec? Boot,
    ImageFormat Format = ImageFormat.Qcow2);

/// <summary>Optional direct kernel boot, as the Terraform provider allows. Paths are on the libvirt host.</summary>
public sealed record DirectKernelBootSpec(string Kernel, string? Initrd, string? Cmdline);

/// <summary>A dir storage pool; <see cref="Path"/> is a directory on the libvirt host.</summary>
public sealed record PoolSpec(string Name, string Path);

/// <summary>The NAT network; <see cref="Bridge"/> null means the derived default (see ClusterLayout).</summary>
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

/// <summary>
/// Virtual machine settings shared by all nodes. Each node's serial console is logged to a volume of
/// the cluster's pool (<see cref="Layout.ClusterNode.ConsoleLog"/>), so it is read through libvirt.
/// </summary>
public sealed record VmSpec(Accelerator Accelerator, GraphicsKind Graphics);
