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

/// <summary>
/// A group of identical nodes. <see cref="Count"/> nodes are always on; with <see cref="Elastic"/>
/// (workers only) the group reaches <see cref="ElasticSpec.Max"/> nodes, the ones beyond
/// <see cref="Count"/> declared in Slurm but started only when a job needs them.
/// </summary>
public sealed record NodeGroupSpec(int Count, int Vcpu, int MemoryMiB, int DiskGiB)
{
    /// <summary>The on-demand range; null: every node of the group is always on.</summary>
    public ElasticSpec? Elastic { get; init; }

    /// <summary>Nodes the group can have: <see cref="ElasticSpec.Max"/> when elastic, else <see cref="Count"/>.</summary>
    public int MaxCount => Elastic?.Max ?? Count;
}

/// <summary>
/// Workers started on demand (Slurm's power saving): up to <paramref name="Max"/> workers in all, each
/// one beyond the always-on count powered off again after <paramref name="IdleTimeout"/> without a job.
/// </summary>
public sealed record ElasticSpec(int Max, TimeSpan IdleTimeout)
{
    /// <summary>Slurm's SuspendTime when the spec does not say.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(10);
}

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
/// Virtual machine settings shared by all nodes. <see cref="ConsoleLogDirectory"/> is a directory on the
/// libvirt host where each node's serial console is logged (null: /var/log/libvirt/qemu).
/// </summary>
public sealed record VmSpec(Accelerator Accelerator, GraphicsKind Graphics, string? ConsoleLogDirectory = null)
{
    public const string DefaultConsoleLogDirectory = "/var/log/libvirt/qemu";

    public string EffectiveConsoleLogDirectory => ConsoleLogDirectory ?? DefaultConsoleLogDirectory;
}
