using System.Globalization;

namespace Vhpc.Spec.Layout;

/// <summary>
/// Decides which libvirt host each node of a cluster lives on. Pure: the layout, where the nodes'
/// domains were found, and which hosts could not be read go in; a decision comes out.
/// <list type="number">
/// <item>Stable: a node whose domain exists stays on that host (vhpcd never moves a node; its disk is there).</item>
/// <item>While any host could not be read, a node that was not found is not placed at all: it may live on
/// that host, and making it elsewhere would give the cluster two nodes with one name, MAC and address.</item>
/// <item>New nodes, management first, then workers by index, go where they fit (the vCPUs and MiB a host
/// allows, minus what the cluster's nodes there take): the management node on <c>placement.management</c>
/// when given; otherwise <see cref="PlacementPolicy.Spread"/> takes the host with the fewest of the cluster's
/// nodes and <see cref="PlacementPolicy.Pack"/> the first listed; ties go to the host listed first.</item>
/// <item>When a new node fits on no host the decision is a refusal with the numbers, and nothing is made.</item>
/// </list>
/// </summary>
public static class NodePlacement
{
    /// <param name="existing">Node name to the host its domain was found on (names not in the layout are ignored).</param>
    /// <param name="unreadable">Hosts whose state could not be read.</param>
    public static PlacementDecision Place(ClusterLayout layout, IReadOnlyDictionary<string, string> existing, IReadOnlySet<string> unreadable)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(unreadable);
        var hosts = layout.Hosts;
        var usage = hosts.ToDictionary(h => h.Name, h => new Usage(h), StringComparer.Ordinal);
        var assignments = new Dictionary<string, NodeAssignment>(StringComparer.Ordinal);
        var pinned = layout.Spec.Placement.Management;

        foreach (var node in layout.ClusterNodes)
        {
            if (existing.TryGetValue(node.Name, out var host) && usage.TryGetValue(host, out var used))
            {
                used.Add(node);
                var note = node.Role == Addressing.NodeRole.Management && pinned is not null && pinned != host
                    ? $" (placement.management asks for {pinned}; a node is never moved: destroy the cluster to move it)"
                    : "";
                assignments[node.Name] = new NodeAssignment(node, host, PlacementKind.Existing, $"its domain is on {host}{note}");
            }
        }

        var unfit = new List<string>();
        foreach (var node in layout.ClusterNodes.Where(n => !assignments.ContainsKey(n.Name)))
        {
            if (unreadable.Count > 0)
            {
                var names = string.Join(", ", unreadable.Order(StringComparer.Ordinal));
                assignments[node.Name] = new NodeAssignment(node, null, PlacementKind.NotPlaced,
                    $"not placed: host {names} could not be read and the node may be there (a node is never made twice)");
                continue;
            }

            var isPinned = node.Role == Addressing.NodeRole.Management && pinned is not null;
            var candidates = hosts.Where(h => !isPinned || h.Name == pinned).Select(h => usage[h.Name]).Where(u => u.Fits(node)).ToList();
            var chosen = layout.Spec.Placement.Policy == PlacementPolicy.Pack
                ? candidates.FirstOrDefault()
                : candidates.OrderBy(u => u.Nodes).FirstOrDefault(); // OrderBy is stable: ties keep the hosts' order.
            if (chosen is null)
            {
                unfit.Add(isPinned
                    ? $"{node.Name} ({Needs(node)}) is pinned to {pinned} (placement.management), which has {usage[pinned!].Left()} left"
                    : $"{node.Name} ({Needs(node)}) fits on no host");
                assignments[node.Name] = new NodeAssignment(node, null, PlacementKind.NotPlaced, "not placed: it fits on no host");
                continue;
            }

            var reason = isPinned ? "placement.management"
                : layout.Spec.Placement.Policy == PlacementPolicy.Pack ? "pack: the first listed host with room"
                : $"spread: the host with the fewest of the cluster's nodes ({chosen.Nodes.ToString(CultureInfo.InvariantCulture)})";
            chosen.Add(node);
            assignments[node.Name] = new NodeAssignment(node, chosen.Host.Name, PlacementKind.New, reason);
        }

        var usages = hosts.Select(h => usage[h.Name].ToHostUsage(!unreadable.Contains(h.Name))).ToList();
        string? refusal = null;
        if (unfit.Count > 0)
        {
            var asked = layout.ClusterNodes.Sum(n => (long)n.Resources.Vcpu);
            var askedMemory = layout.ClusterNodes.Sum(n => (long)n.Resources.MemoryMiB);
            refusal = $"the cluster does not fit: {string.Join("; ", unfit)}. Per host, placed vs allowed: "
                + string.Join("; ", usages.Select(u => u.Describe()))
                + string.Create(CultureInfo.InvariantCulture, $". The cluster asks {asked} vCPUs and {askedMemory} MiB in all");
        }

        return new PlacementDecision(layout.ClusterNodes.Select(n => assignments[n.Name]).ToList(), usages, refusal);
    }

    private static string Needs(ClusterNode node) =>
        string.Create(CultureInfo.InvariantCulture, $"{node.Resources.Vcpu} vCPUs, {node.Resources.MemoryMiB} MiB");

    private sealed class Usage(HostSpec host)
    {
        public HostSpec Host { get; } = host;

        public int Nodes { get; private set; }

        public long Vcpus { get; private set; }

        public long MemoryMiB { get; private set; }

        public bool Fits(ClusterNode node) =>
            (Host.Vcpus is not { } vcpus || Vcpus + node.Resources.Vcpu <= vcpus)
            && (Host.MemoryMiB is not { } memory || MemoryMiB + node.Resources.MemoryMiB <= memory);

        public void Add(ClusterNode node)
        {
            Nodes++;
            Vcpus += node.Resources.Vcpu;
            MemoryMiB += node.Resources.MemoryMiB;
        }

        public string Left() => string.Create(CultureInfo.InvariantCulture,
            $"{(Host.Vcpus is { } v ? (v - Vcpus).ToString(CultureInfo.InvariantCulture) : "unlimited")} vCPUs and "
            + $"{(Host.MemoryMiB is { } m ? (m - MemoryMiB).ToString(CultureInfo.InvariantCulture) : "unlimited")} MiB");

        public HostUsage ToHostUsage(bool readable) => new(Host, readable, Nodes, Vcpus, MemoryMiB);
    }
}

/// <summary>Where every node goes, what that takes of each host, and why the cluster does not fit (null when it does).</summary>
public sealed record PlacementDecision(IReadOnlyList<NodeAssignment> Nodes, IReadOnlyList<HostUsage> Hosts, string? Refusal)
{
    public bool Fits => Refusal is null;

    /// <summary>The host of <paramref name="node"/>, or null when it is not placed.</summary>
    public string? HostOf(string node) => Nodes.FirstOrDefault(n => n.Node.Name == node)?.Host;

    /// <summary>The placed nodes of <paramref name="host"/>, in the layout's order.</summary>
    public IReadOnlyList<ClusterNode> NodesOn(string host) => Nodes.Where(n => n.Host == host).Select(n => n.Node).ToList();
}

public enum PlacementKind
{
    /// <summary>Its domain exists on the host: it stays there.</summary>
    Existing,

    /// <summary>Placed now by the pin or the policy.</summary>
    New,

    /// <summary>Not placed (it fits nowhere, or a host could not be read); <see cref="NodeAssignment.Reason"/> says why.</summary>
    NotPlaced,
}

/// <param name="Host">The host's name; null when the node is not placed.</param>
public sealed record NodeAssignment(ClusterNode Node, string? Host, PlacementKind Kind, string Reason);

/// <summary>What the cluster's placed nodes take of one host, against what the host allows.</summary>
/// <param name="Readable">False when the host's state could not be read (its nodes are unknown, so not counted).</param>
public sealed record HostUsage(HostSpec Host, bool Readable, int Nodes, long Vcpus, long MemoryMiB)
{
    /// <summary>"h1: 4 of 8 vCPUs, 4096 of 16384 MiB, 2 nodes" (no limit: "4 vCPUs, 4096 MiB").</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Host.Name}: {Vcpus}{(Host.Vcpus is { } v ? $" of {v}" : "")} vCPUs, {MemoryMiB}{(Host.MemoryMiB is { } m ? $" of {m}" : "")} MiB, "
        + $"{Nodes} node{(Nodes == 1 ? "" : "s")}{(Readable ? "" : " (could not be read)")}");
}
