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

    /// <summary>
    /// libvirt URI (qemu:///system, qemu+ssh://host/system, test:///default) of the one libvirt host of a
    /// cluster without <see cref="Hosts"/>. Not used when <see cref="Hosts"/> is given (the loader refuses a
    /// file that has both).
    /// </summary>
    public required string Connect { get; init; }

    /// <summary>
    /// The libvirt hosts one cluster spreads over, with what vhpcd may use on each; empty for the
    /// single-host form (<see cref="Connect"/>, no limits). See <see cref="LibvirtHosts"/>.
    /// </summary>
    public IReadOnlyList<HostSpec> Hosts { get; init; } = [];

    /// <summary>How new nodes are put on <see cref="Hosts"/>.</summary>
    public PlacementSpec Placement { get; init; } = PlacementSpec.Default;

    public required ImageSpec Image { get; init; }

    public required PoolSpec Pool { get; init; }

    public required NetworkSpec Network { get; init; }

    public required UserSpec User { get; init; }

    public required NodeGroupSpec Management { get; init; }

    public required NodeGroupSpec Workers { get; init; }

    public required VmSpec Vm { get; init; }

    /// <summary>Where the spec came from (file path), for messages.</summary>
    public string? SourcePath { get; init; }

    /// <summary>
    /// The libvirt hosts the cluster lives on: <see cref="Hosts"/>, or for the single-host form one host
    /// named after <see cref="Connect"/> without limits (<see cref="HostSpec.ForConnect"/>).
    /// </summary>
    public IReadOnlyList<HostSpec> LibvirtHosts => Hosts.Count > 0 ? Hosts : [HostSpec.ForConnect(Connect)];

    /// <summary>The libvirt URIs of <see cref="LibvirtHosts"/>, comma-separated, for messages and summaries.</summary>
    public string LibvirtUris => string.Join(", ", LibvirtHosts.Select(h => h.Connect));
}

/// <summary>
/// One libvirt host of a cluster: its name (in plans, status and the domains' marks), its URI, and how
/// many vCPUs and MiB of memory the cluster's nodes may take there in all. Null limits: no limit (the
/// single-host form, where libvirt itself refuses what does not fit).
/// </summary>
public sealed record HostSpec(string Name, string Connect, int? Vcpus, int? MemoryMiB)
{
    /// <summary>
    /// The host of the single-host form: named after the URI's host part (qemu+ssh://root@node7/system is
    /// "node7"), or "local" when the URI names this machine (qemu:///system).
    /// </summary>
    public static HostSpec ForConnect(string connect)
    {
        ArgumentNullException.ThrowIfNull(connect);
        var host = Uri.TryCreate(connect, UriKind.Absolute, out var uri) ? uri.Host : "";
        return new HostSpec(host.Length == 0 ? LocalName : host, connect, null, null);
    }

    /// <summary>The name of the single-host form's host when its URI names this machine.</summary>
    public const string LocalName = "local";

    /// <summary>
    /// True when the URI names a libvirt on this machine (no host part: qemu:///system, test:///default,
    /// qemu+unix:///system), where a path vhpcd sees is the same path libvirt sees. A URI with a host
    /// part, even this machine's name, counts as remote.
    /// </summary>
    public bool IsLocal => Uri.TryCreate(Connect, UriKind.Absolute, out var uri) && uri.Host.Length == 0;
}

/// <summary>Where new nodes go: <see cref="PlacementPolicy"/>, and optionally the management node's host.</summary>
/// <param name="Management">The host the management node is created on (a name in <c>hosts</c>); null: by the policy.</param>
public sealed record PlacementSpec(PlacementPolicy Policy, string? Management)
{
    public static PlacementSpec Default { get; } = new(PlacementPolicy.Spread, null);
}

public enum PlacementPolicy
{
    /// <summary>Each new node on the host with the fewest of the cluster's nodes (ties: the first listed).</summary>
    Spread,

    /// <summary>Each new node on the first listed host where it fits.</summary>
    Pack,
}

/// <summary>How the nodes are networked.</summary>
public enum NetworkMode
{
    /// <summary>A libvirt NAT network with DHCP (fixed host entries) that vhpcd makes: one host only.</summary>
    Nat,

    /// <summary>
    /// A libvirt network in bridge mode onto a host bridge the admin made (spanning the hosts, e.g. over a
    /// VLAN or a tunnel); no libvirt DHCP: each node gets its fixed address through its seed.
    /// </summary>
    Bridge,
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

/// <summary>
/// The nodes' network. NAT (the default): libvirt makes the bridge (<see cref="Bridge"/>, null: the derived
/// default, see ClusterLayout), DHCP and NAT. Bridge: <see cref="Bridge"/> names the existing host bridge the
/// libvirt network attaches to on every host; nodes get their fixed address, the prefix of <see cref="Cidr"/>,
/// and the optional <see cref="Gateway"/> and <see cref="Nameservers"/> through their seed.
/// </summary>
public sealed record NetworkSpec(string Name, string Cidr, string? Bridge, NetworkMode Mode = NetworkMode.Nat, string? Gateway = null,
    IReadOnlyList<string>? Nameservers = null);

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
/// Virtual machine settings shared by all nodes. Each node's serial console is logged to a volume of
/// the cluster's pool (<see cref="Layout.ClusterNode.ConsoleLog"/>), so it is read through libvirt.
/// </summary>
public sealed record VmSpec(Accelerator Accelerator, GraphicsKind Graphics);
