using System.Globalization;
using System.Net;
using Vhpc.Spec.Addressing;

namespace Vhpc.Spec.Layout;

/// <summary>
/// Every libvirt name, address and identifier of a cluster, derived from the spec alone.
/// <list type="bullet">
/// <item>Nodes: <c>{name}-m-01</c> (management) and <c>{name}-w-01</c>..<c>{name}-w-NN</c> (workers);
/// FQDN <c>{node}.{domain}</c>; the domain is named like the node.</item>
/// <item>Addresses: the gateway is the first usable address; management node <c>m-NN</c> is
/// gateway+NN, worker <c>w-NN</c> is gateway+1+NN (so a /24 10.0.0.0 gives .1 gateway, .2 management,
/// .3.. workers). These fixed addresses live in the lower half of the usable addresses; the upper half
/// is the DHCP range for anything else, so resizing never moves the range or another node.</item>
/// <item>MAC: 52:54:00 (the QEMU/KVM prefix) + 3 bytes of SHA-256(cluster, node); a collision inside
/// the cluster (about 1 in 40000 for 64 nodes) is resolved by hashing again with a counter, in node
/// order, so earlier nodes keep their MAC when workers are added.</item>
/// <item>Pool and network: names from the spec; UUIDs are name-based (cluster, kind, name): that UUID
/// is the ownership mark. Bridge: the spec's, else <c>vh-{name}</c>, or when that exceeds 15
/// characters (Linux IFNAMSIZ) <c>vh-{first 7 of name}-{4 hex of hash(name)}</c>.</item>
/// <item>Volumes (in the cluster's pool): base image <c>{name}-base-{first 16 of sha256}.{qcow2|raw}</c>
/// and its completion marker <c>{base}.complete</c>; per node <c>{node}.qcow2</c> and <c>{node}-seed.iso</c>.</item>
/// <item>Hosts: every libvirt host holds its own pool, base volume, network (all named alike) and the
/// domains and volumes of its nodes. <see cref="From"/> gives the whole cluster; <see cref="OnHost"/> the
/// part on one host, which provisioning plans and executes host by host.</item>
/// </list>
/// </summary>
public sealed class ClusterLayout
{
    public const string MacPrefix = "52:54:00";

    private ClusterLayout(ClusterLayout whole, HostSpec host, IReadOnlyList<ClusterNode> nodes)
    {
        Spec = whole.Spec;
        Cluster = whole.Cluster;
        Subnet = whole.Subnet;
        Gateway = whole.Gateway;
        DhcpRangeStart = whole.DhcpRangeStart;
        DhcpRangeEnd = whole.DhcpRangeEnd;
        PoolName = whole.PoolName;
        PoolPath = whole.PoolPath;
        PoolUuid = whole.PoolUuid;
        NetworkName = whole.NetworkName;
        NetworkUuid = whole.NetworkUuid;
        BridgeName = whole.BridgeName;
        BaseVolumeName = whole.BaseVolumeName;
        BaseVolumeMarkerName = whole.BaseVolumeMarkerName;
        Hosts = whole.Hosts;
        ClusterNodes = whole.ClusterNodes;
        Host = host;
        Nodes = nodes;
    }

    private ClusterLayout(ClusterSpec spec, Ipv4Subnet subnet)
    {
        Spec = spec;
        Cluster = spec.Name;
        Subnet = subnet;
        Gateway = Ipv4Subnet.ToAddress(subnet.Network + 1);
        var half = (uint)(subnet.UsableCount / 2);
        DhcpRangeStart = Ipv4Subnet.ToAddress(subnet.Network + half + 1);
        DhcpRangeEnd = Ipv4Subnet.ToAddress(subnet.Broadcast - 1);
        PoolName = spec.Pool.Name;
        PoolPath = spec.Pool.Path;
        PoolUuid = DeterministicIds.Uuid("vhpc-pool", spec.Name, spec.Pool.Name);
        NetworkName = spec.Network.Name;
        NetworkUuid = DeterministicIds.Uuid("vhpc-network", spec.Name, spec.Network.Name);
        BridgeName = spec.Network.Bridge ?? BridgeNames.DefaultFor(spec.Name);
        var sha = (spec.Image.Sha256 ?? throw new ArgumentException("image.sha256 is required", nameof(spec))).ToLowerInvariant();
        BaseVolumeName = $"{spec.Name}-base-{sha[..16]}.{FormatExtension(spec.Image.Format)}";
        BaseVolumeMarkerName = BaseVolumeName + ".complete";
        Nodes = BuildNodes(spec, subnet);
        ClusterNodes = Nodes;
        Hosts = spec.LibvirtHosts;
        Host = Hosts.Count == 1 ? Hosts[0] : null;
    }

    public ClusterSpec Spec { get; }

    public string Cluster { get; }

    public Ipv4Subnet Subnet { get; }

    public IPAddress Gateway { get; }

    public IPAddress DhcpRangeStart { get; }

    public IPAddress DhcpRangeEnd { get; }

    public string PoolName { get; }

    /// <summary>Directory of the pool on the libvirt host.</summary>
    public string PoolPath { get; }

    public Guid PoolUuid { get; }

    public string NetworkName { get; }

    public Guid NetworkUuid { get; }

    public string BridgeName { get; }

    public string BaseVolumeName { get; }

    /// <summary>Created only after the base volume's upload finished: its absence means "partial".</summary>
    public string BaseVolumeMarkerName { get; }

    /// <summary>
    /// The nodes this layout is about, management node first, then workers in index order: every node of
    /// the cluster, or for a layout <see cref="OnHost"/> the nodes placed on that host.
    /// </summary>
    public IReadOnlyList<ClusterNode> Nodes { get; }

    /// <summary>Every node of the cluster, wherever it is placed.</summary>
    public IReadOnlyList<ClusterNode> ClusterNodes { get; }

    public ClusterNode Management => ClusterNodes[0];

    public IEnumerable<ClusterNode> Workers => ClusterNodes.Where(n => n.Role == NodeRole.Worker);

    /// <summary>The cluster's libvirt hosts (<see cref="ClusterSpec.LibvirtHosts"/>).</summary>
    public IReadOnlyList<HostSpec> Hosts { get; }

    /// <summary>The host this layout's objects live on: the one host of a single-host cluster, or the host of <see cref="OnHost"/>; null for the whole of a cluster over several hosts.</summary>
    public HostSpec? Host { get; }

    /// <summary>True when the cluster lists its hosts (<c>hosts:</c>), so plans, progress and status name them.</summary>
    public bool NamesHosts => Spec.Hosts.Count > 0;

    /// <summary>True for <see cref="NetworkMode.Bridge"/>: no libvirt DHCP, fixed addresses through the seeds.</summary>
    public bool IsBridged => Spec.Network.Mode == NetworkMode.Bridge;

    /// <summary>The default route the seeds give the nodes in bridge mode (network.gateway), or null.</summary>
    public IPAddress? StaticGateway => IsBridged && Spec.Network.Gateway is { } gateway ? IPAddress.Parse(gateway) : null;

    /// <summary>The DNS servers the seeds give the nodes in bridge mode (network.dns).</summary>
    public IReadOnlyList<IPAddress> Nameservers => IsBridged ? (Spec.Network.Nameservers ?? []).Select(IPAddress.Parse).ToList() : [];

    /// <summary>The part of the cluster on <paramref name="host"/>: the same names, with <see cref="Nodes"/> the given nodes.</summary>
    public ClusterLayout OnHost(HostSpec host, IEnumerable<ClusterNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(nodes);
        if (!Hosts.Contains(host))
        {
            throw new ArgumentException($"{host.Name} is not a host of cluster {Cluster}", nameof(host));
        }

        var wanted = nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        return new ClusterLayout(this, host, ClusterNodes.Where(n => wanted.Contains(n.Name)).ToList());
    }

    /// <summary>Workers started only on demand (empty unless workers.elastic is set).</summary>
    public IEnumerable<ClusterNode> OnDemandWorkers => Nodes.Where(n => n.OnDemand);

    /// <summary>True when the spec has an elastic range (vhpcd then serves the management domain's power channel).</summary>
    public bool IsElastic => Spec.Workers.Elastic is not null;

    /// <summary>
    /// Name of the management domain's power channel in the guest
    /// (<c>/dev/virtio-ports/org.vhpc.power.0</c>), where Slurm's power programs write their requests.
    /// </summary>
    public const string PowerChannelName = "org.vhpc.power.0";

    /// <summary>The layout of a spec that <see cref="ClusterSpecValidator"/> accepted.</summary>
    public static ClusterLayout From(ClusterSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!Ipv4Subnet.TryParse(spec.Network.Cidr, out var subnet, out _))
        {
            throw new ArgumentException($"network.cidr '{spec.Network.Cidr}' is not an IPv4 CIDR", nameof(spec));
        }

        return new ClusterLayout(spec, subnet);
    }

    public static string FormatExtension(ImageFormat format) => format == ImageFormat.Raw ? "raw" : "qcow2";

    private const string ConsoleLogHashMark = "serial-log-volume";

    private const string PowerChannelHashMark = "vhpc-node-power-channel-always";

    private static List<ClusterNode> BuildNodes(ClusterSpec spec, Ipv4Subnet subnet)
    {
        var nodes = new List<ClusterNode>();
        var macs = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i <= spec.Management.Count; i++)
        {
            nodes.Add(BuildNode(spec, subnet, NodeRole.Management, i, spec.Management, macs));
        }

        for (var i = 1; i <= spec.Workers.MaxCount; i++)
        {
            nodes.Add(BuildNode(spec, subnet, NodeRole.Worker, i, spec.Workers, macs) with { OnDemand = i > spec.Workers.Count });
        }

        return nodes;
    }

    private static ClusterNode BuildNode(ClusterSpec spec, Ipv4Subnet subnet, NodeRole role, int index, NodeGroupSpec resources, HashSet<string> macs)
    {
        var name = NodeNames.Of(spec.Name, role, index);
        var mac = DeriveMac(spec.Name, name, macs);
        var address = Ipv4Subnet.ToAddress(NodeAddresses.Of(subnet, role, index));
        string[] disk = [spec.Image.Sha256!.ToLowerInvariant(), spec.Image.Format.ToString(), resources.DiskGiB.ToString(CultureInfo.InvariantCulture)];
        if (spec.Network.Mode == NetworkMode.Bridge)
        {
            // In bridge mode the address lives in the seed, which cloud-init applies to a new instance only:
            // other addressing means a fresh disk. (NAT nodes keep their hashes: their addresses come from DHCP.)
            disk = [.. disk, "bridge", spec.Network.Bridge ?? "", address.ToString(), subnet.PrefixLength.ToString(CultureInfo.InvariantCulture),
                spec.Network.Gateway ?? "", string.Join(',', spec.Network.Nameservers ?? [])];
        }

        var diskHash = DeterministicIds.HexDigest(16, ["vhpc-disk", .. disk]);
        var specHash = DeterministicIds.HexDigest(16, "vhpc-node", diskHash, name, mac,
            resources.Vcpu.ToString(CultureInfo.InvariantCulture), resources.MemoryMiB.ToString(CultureInfo.InvariantCulture),
            spec.Image.OsFamily.ToString(), spec.Image.Boot?.Kernel ?? "", spec.Image.Boot?.Initrd ?? "", spec.Image.Boot?.Cmdline ?? "",
            spec.Network.Name, spec.Vm.Accelerator.ToString(), spec.Vm.Graphics.ToString(),
            // Was the console log directory; the log moving into the pool changes every domain's XML once.
            ConsoleLogHashMark,
            spec.Domain, spec.User.Name, spec.Pool.Name, spec.Pool.Path);
        if (role == NodeRole.Management)
        {
            // Every management domain carries the power channel, elastic or not (vhpcd serves it only for
            // an elastic cluster), so turning elasticity on or off replaces no domain. The mark makes
            // management domains defined before this rule replaced once, cleanly, to gain the channel.
            specHash = DeterministicIds.HexDigest(16, PowerChannelHashMark, specHash);
        }

        return new ClusterNode(
            name,
            $"{name}.{spec.Domain}",
            role,
            index,
            mac,
            address,
            resources,
            $"{name}.qcow2",
            $"{name}-seed.iso",
            new ConsoleLogVolume(spec.Pool.Name, name + ConsoleLogVolume.Suffix),
            specHash,
            diskHash);
    }

    private static string DeriveMac(string cluster, string node, HashSet<string> taken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var hash = DeterministicIds.Hash("vhpc-mac", cluster, node, attempt.ToString(CultureInfo.InvariantCulture));
            var mac = $"{MacPrefix}:{hash[0]:x2}:{hash[1]:x2}:{hash[2]:x2}";
            if (taken.Add(mac))
            {
                return mac;
            }
        }
    }
}
