using Vhpc.Engine.Plans;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec.Addressing;
using Vhpc.Spec.Layout;

namespace Vhpc.Provisioning.Planning;

/// <summary>
/// Desired state (the layout) versus actual state (what libvirt reports) gives an ordered plan. Pure:
/// no I/O, so every case is a fast unit test.
/// <para>Ownership: a pool or network is the cluster's only when its UUID is the cluster's name-based
/// UUID; a domain only when its metadata mark names the cluster; a volume only when it lives in the
/// cluster's own pool and is named by the cluster's scheme. Anything else that carries one of the
/// cluster's names is a conflict: reported, never touched.</para>
/// </summary>
internal static class ClusterPlanner
{
    /// <summary>
    /// A resume's plan: the shared objects (pool, base image, network) and the actions of the nodes in
    /// <paramref name="powerOn"/>; every other node and the cleanup wait for the next apply, so powering
    /// one worker up never replaces or removes another.
    /// </summary>
    public static ClusterPlan PlanPowerOn(ClusterLayout layout, ActualState actual, IReadOnlySet<string> powerOn)
    {
        ArgumentNullException.ThrowIfNull(powerOn);
        var plan = PlanApply(layout, actual, powerOn);
        return plan with
        {
            Actions = plan.Actions.Where(a => a.Stage == PlanStage.Prepare || (a.Stage == PlanStage.Nodes && powerOn.Contains(a.Node!))).ToList(),
        };
    }

    /// <param name="powerOn">
    /// On-demand workers to start (a resume). Every other on-demand worker is defined but left as it is:
    /// made if missing and not started, and left running when Slurm started it.
    /// </param>
    public static ClusterPlan PlanApply(ClusterLayout layout, ActualState actual, IReadOnlySet<string>? powerOn = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(actual);
        var actions = new List<PlannedAction>();
        var conflicts = new List<string>();
        var poolOwned = CheckPool(layout, actual.Pool, conflicts, apply: true);
        var networkOwned = CheckNetwork(layout, actual.Network, conflicts);
        if (actual.Network is null && !layout.IsBridged)
        {
            // A bridge-mode network only attaches to a bridge the admin made, which others may use too.
            CheckHostNetworks(layout, actual.OtherNetworks, conflicts);
        }

        var domains = ClassifyDomains(layout.Cluster, actual.Domains, layout.Nodes.Select(n => n.Name), conflicts);
        var volumes = poolOwned ? actual.Volumes.ToDictionary(v => v.Name, StringComparer.Ordinal) : [];

        // Prepare: pool, base image, network and its host entries; all nodes depend on them.
        if (actual.Pool is null)
        {
            actions.Add(Prepare(ActionKind.Create, ObjectKind.Pool, layout.PoolName, $"dir pool at {layout.PoolPath} does not exist"));
        }
        else if (poolOwned && !actual.Pool.Active)
        {
            actions.Add(Prepare(ActionKind.Start, ObjectKind.Pool, layout.PoolName, "pool is inactive"));
        }

        var poolUsable = actual.Pool is null || poolOwned;
        if (poolUsable)
        {
            var hasBase = volumes.ContainsKey(layout.BaseVolumeName);
            var complete = volumes.ContainsKey(layout.BaseVolumeMarkerName);
            if (!hasBase || !complete)
            {
                actions.Add(Prepare(hasBase ? ActionKind.Replace : ActionKind.Create, ObjectKind.Volume, layout.BaseVolumeName,
                    hasBase ? "base image upload was not completed (no completion marker)" : $"base image {layout.Spec.Image.Sha256![..16]} is not uploaded"));
            }
        }

        PlanNetwork(layout, actual.Network, networkOwned, actions);

        // Nodes: each node's volumes and domain, nodes in parallel.
        if (poolUsable && (actual.Network is null || networkOwned))
        {
            foreach (var node in layout.Nodes)
            {
                domains.Owned.TryGetValue(node.Name, out var domain);
                if (!domains.Conflicting.Contains(node.Name))
                {
                    PlanNode(node, domain, volumes, actions, keepPower: node.OnDemand && powerOn?.Contains(node.Name) != true);
                }
            }
        }

        var desired = layout.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, domain) in domains.Owned.Where(d => !desired.Contains(d.Key)).OrderByDescending(d => d.Key, StringComparer.Ordinal))
        {
            actions.Add(NodeAction(name, ActionKind.Delete, ObjectKind.Domain, name,
                $"node is not in the spec any more (management.count={layout.Spec.Management.Count}, workers.count={layout.Spec.Workers.Count}"
                + (layout.Spec.Workers.Elastic is { } elastic ? $", workers.elastic.max={elastic.Max})" : ")")
                + (domain.Active ? "; it is stopped first" : "")));
        }

        // Node volumes nobody wants here any more: removed nodes, or left by an interrupted apply or destroy
        // (for a node of the spec that is not placed on this host, it has no domain here, so they are leftovers).
        var inSpec = layout.ClusterNodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var volume in volumes.Values.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            if (NodeOfVolume(layout.Cluster, volume.Name) is { } node && !desired.Contains(node))
            {
                actions.Add(NodeAction(node, ActionKind.Delete, ObjectKind.Volume, volume.Name, inSpec.Contains(node)
                    ? $"left by an interrupted apply: the node has no domain on {layout.Host?.Name ?? "this host"} and is not placed here"
                    : "volume of a node that is not in the spec"));
            }
        }

        // Cleanup: base images of earlier specs, once no node needs them.
        foreach (var volume in volumes.Values.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            if (IsBaseVolumeName(layout.Cluster, volume.Name) && volume.Name != layout.BaseVolumeName && volume.Name != layout.BaseVolumeMarkerName)
            {
                actions.Add(new PlannedAction(ActionKind.Delete, ObjectKind.Volume, volume.Name, "base image of an earlier spec") { Stage = PlanStage.Cleanup });
            }
        }

        return new ClusterPlan(layout.Cluster, Ordered(actions)) { Conflicts = conflicts };
    }

    /// <summary>Removes every object of the cluster, and only those; conflicts list what was left alone.</summary>
    public static ClusterPlan PlanDestroy(ClusterLayout layout, ActualState actual)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(actual);
        var actions = new List<PlannedAction>();
        var conflicts = new List<string>();
        var poolOwned = CheckPool(layout, actual.Pool, conflicts, apply: false);
        var networkOwned = CheckNetwork(layout, actual.Network, conflicts);
        var domains = ClassifyDomains(layout.Cluster, actual.Domains, layout.Nodes.Select(n => n.Name), conflicts);

        foreach (var (name, domain) in domains.Owned.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            actions.Add(NodeAction(name, ActionKind.Delete, ObjectKind.Domain, name, domain.Active ? "destroy: stop and undefine" : "destroy: undefine"));
        }

        if (poolOwned)
        {
            var markersFirst = actual.Volumes
                .OrderBy(v => v.Name.EndsWith(".complete", StringComparison.Ordinal) ? 0 : 1)
                .ThenBy(v => v.Name, StringComparer.Ordinal);
            foreach (var volume in markersFirst)
            {
                if (NodeOfVolume(layout.Cluster, volume.Name) is { } node)
                {
                    actions.Add(NodeAction(node, ActionKind.Delete, ObjectKind.Volume, volume.Name, "destroy"));
                }
                else if (IsBaseVolumeName(layout.Cluster, volume.Name))
                {
                    // The marker goes first: a crash in between leaves a base without marker, which reads as partial.
                    actions.Add(new PlannedAction(ActionKind.Delete, ObjectKind.Volume, volume.Name, "destroy") { Stage = PlanStage.Cleanup });
                }
            }
        }

        if (networkOwned)
        {
            actions.Add(new PlannedAction(ActionKind.Delete, ObjectKind.Network, actual.Network!.Name, "destroy") { Stage = PlanStage.Cleanup });
        }

        if (poolOwned)
        {
            var foreign = actual.Volumes.Count(v => NodeOfVolume(layout.Cluster, v.Name) is null && !IsBaseVolumeName(layout.Cluster, v.Name));
            actions.Add(new PlannedAction(ActionKind.Delete, ObjectKind.Pool, actual.Pool!.Name,
                foreign == 0 ? "destroy" : $"destroy (its {foreign} volume(s) not named by the cluster stay on disk)") { Stage = PlanStage.Cleanup });
        }

        return new ClusterPlan(layout.Cluster, Ordered(actions)) { Conflicts = conflicts };
    }

    /// <summary>
    /// The node a volume belongs to by name (<c>{node}.qcow2</c>, <c>{node}-seed.iso</c>,
    /// <c>{node}-serial.log</c> and the <c>.1</c>, <c>.2</c>, ... copies virtlogd rotates it to), or null.
    /// </summary>
    public static string? NodeOfVolume(string cluster, string volume)
    {
        var rotated = volume.LastIndexOf('.');
        if (rotated > 0 && rotated < volume.Length - 1 && volume[(rotated + 1)..].All(char.IsAsciiDigit)
            && volume[..rotated].EndsWith(ConsoleLogVolume.Suffix, StringComparison.Ordinal))
        {
            volume = volume[..rotated];
        }

        var node = volume.EndsWith(".qcow2", StringComparison.Ordinal) ? volume[..^".qcow2".Length]
            : volume.EndsWith("-seed.iso", StringComparison.Ordinal) ? volume[..^"-seed.iso".Length]
            : volume.EndsWith(ConsoleLogVolume.Suffix, StringComparison.Ordinal) ? volume[..^ConsoleLogVolume.Suffix.Length]
            : null;
        return node is not null && NodeNames.TryParse(cluster, node, out _, out _) ? node : null;
    }

    /// <summary><c>{cluster}-base-{16 hex}.{qcow2|raw}</c> and its <c>.complete</c> marker.</summary>
    public static bool IsBaseVolumeName(string cluster, string volume)
    {
        var prefix = cluster + "-base-";
        if (!volume.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = volume[prefix.Length..];
        if (rest.EndsWith(".complete", StringComparison.Ordinal))
        {
            rest = rest[..^".complete".Length];
        }

        return rest.Length > 17 && rest[..16].All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c))
            && rest[16..] is ".qcow2" or ".raw";
    }

    /// <param name="keepPower">An on-demand worker Slurm powers: made and kept up to date, never started by an apply.</param>
    private static void PlanNode(ClusterNode node, ActualDomain? domain, Dictionary<string, ActualVolume> volumes, List<PlannedAction> actions,
        bool keepPower)
    {
        var hasOverlay = volumes.ContainsKey(node.OverlayVolume);
        var hasSeed = volumes.ContainsKey(node.SeedVolume);
        // A log left by an interrupted apply is kept: it only ever holds console history.
        var hasConsoleLog = volumes.ContainsKey(node.ConsoleLog.Volume);
        if (domain is null)
        {
            // Without its domain a node's volumes may be half-made (a crash before the define): start fresh.
            actions.Add(NodeAction(node.Name, hasOverlay ? ActionKind.Replace : ActionKind.Create, ObjectKind.Volume, node.OverlayVolume,
                hasOverlay ? "left by an interrupted apply (the node has no domain); recreated from the base image" : $"{node.Resources.DiskGiB} GiB overlay on the base image"));
            actions.Add(NodeAction(node.Name, hasSeed ? ActionKind.Replace : ActionKind.Create, ObjectKind.Volume, node.SeedVolume,
                hasSeed ? "left by an interrupted apply (the node has no domain); rewritten" : "cloud-init seed (user, SSH key, hostname)"));
            if (!hasConsoleLog)
            {
                actions.Add(NodeAction(node.Name, ActionKind.Create, ObjectKind.Volume, node.ConsoleLog.Volume, "serial console log (empty)"));
            }

            actions.Add(NodeAction(node.Name, ActionKind.Create, ObjectKind.Domain, node.Name, keepPower
                ? $"on-demand worker {node.Fqdn} ({node.Address}): declared, off until Slurm needs it"
                : $"{node.Role.ToString().ToLowerInvariant()} node {node.Fqdn} ({node.Address})"));
            if (!keepPower)
            {
                actions.Add(NodeAction(node.Name, ActionKind.Start, ObjectKind.Domain, node.Name, node.OnDemand ? "powered on for Slurm" : "new node"));
            }

            return;
        }

        var diskChanged = domain.Mark!.DiskHash != node.DiskHash;
        var specChanged = domain.Mark.SpecHash != node.SpecHash;
        if (diskChanged || !hasOverlay)
        {
            actions.Add(NodeAction(node.Name, hasOverlay ? ActionKind.Replace : ActionKind.Create, ObjectKind.Volume, node.OverlayVolume,
                hasOverlay ? "base image or disk size changed; the node's disk starts fresh" : "overlay volume is missing"));
        }

        if (!hasSeed)
        {
            actions.Add(NodeAction(node.Name, ActionKind.Create, ObjectKind.Volume, node.SeedVolume, "seed volume is missing"));
        }

        if (!hasConsoleLog)
        {
            // The domain names the same path: it logs there again once the volume exists.
            actions.Add(NodeAction(node.Name, ActionKind.Create, ObjectKind.Volume, node.ConsoleLog.Volume, "serial console log volume is missing"));
        }

        if (specChanged || diskChanged || !hasOverlay || !hasSeed)
        {
            actions.Add(NodeAction(node.Name, ActionKind.Replace, ObjectKind.Domain, node.Name,
                specChanged ? $"spec changed (hash {domain.Mark.SpecHash} -> {node.SpecHash})" : "its volumes were recreated"));
            // An on-demand worker comes back in the power state Slurm gave it.
            if (!keepPower || domain.Active)
            {
                actions.Add(NodeAction(node.Name, ActionKind.Start, ObjectKind.Domain, node.Name, "after replace"));
            }
        }
        else if (!domain.Active && !keepPower)
        {
            actions.Add(NodeAction(node.Name, ActionKind.Start, ObjectKind.Domain, node.Name, node.OnDemand ? "powered on for Slurm" : "domain is shut off"));
        }
    }

    private static void PlanNetwork(ClusterLayout layout, ActualNetwork? network, bool owned, List<PlannedAction> actions)
    {
        if (network is null)
        {
            actions.Add(Prepare(ActionKind.Create, ObjectKind.Network, layout.NetworkName, layout.IsBridged
                ? $"bridge-mode network onto the host bridge {layout.BridgeName} (no libvirt DHCP: the seeds give {layout.Subnet} addresses)"
                : $"NAT network {layout.Subnet} on bridge {layout.BridgeName} with {layout.Nodes.Count} fixed hosts"));
            return;
        }

        if (!owned)
        {
            return;
        }

        var d = network.Definition;
        var differences = new List<string>();
        if (layout.IsBridged)
        {
            Compare(differences, "forward mode", d.ForwardMode, "bridge");
            Compare(differences, "bridge", d.Bridge, layout.BridgeName);
        }
        else
        {
            Compare(differences, "forward mode", d.ForwardMode, "nat");
            Compare(differences, "bridge", d.Bridge, layout.BridgeName);
            Compare(differences, "domain", d.Domain, layout.Spec.Domain);
            Compare(differences, "gateway", d.Address, layout.Gateway.ToString());
            Compare(differences, "netmask", d.Netmask, layout.Subnet.Netmask.ToString());
            Compare(differences, "DHCP range start", d.RangeStart, layout.DhcpRangeStart.ToString());
            Compare(differences, "DHCP range end", d.RangeEnd, layout.DhcpRangeEnd.ToString());
        }

        if (differences.Count > 0)
        {
            actions.Add(Prepare(ActionKind.Replace, ObjectKind.Network, layout.NetworkName, string.Join("; ", differences)));
            return;
        }

        if (!network.Active)
        {
            actions.Add(Prepare(ActionKind.Start, ObjectKind.Network, layout.NetworkName, "network is inactive"));
        }

        var desired = NetworkXml.DesiredHosts(layout);
        var desiredByMac = desired.ToDictionary(h => h.Mac, StringComparer.OrdinalIgnoreCase);
        foreach (var host in d.Hosts.Where(h => !desiredByMac.ContainsKey(h.Mac)).OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            actions.Add(Prepare(ActionKind.Delete, ObjectKind.DhcpHost, host.Name, $"{host.Mac} -> {host.Address} is not a node of the spec"));
        }

        var actualByMac = d.Hosts.GroupBy(h => h.Mac, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        foreach (var host in desired)
        {
            if (!actualByMac.TryGetValue(host.Mac, out var current))
            {
                actions.Add(Prepare(ActionKind.Create, ObjectKind.DhcpHost, host.Name, $"{host.Mac} -> {host.Address}"));
            }
            else if (current.Address != host.Address || current.Name != host.Name)
            {
                actions.Add(Prepare(ActionKind.Update, ObjectKind.DhcpHost, host.Name,
                    $"{host.Mac} -> {current.Address} ({current.Name}) becomes {host.Address} ({host.Name})"));
            }
        }
    }

    private static bool CheckPool(ClusterLayout layout, ActualPool? pool, List<string> conflicts, bool apply)
    {
        if (pool is null)
        {
            return false;
        }

        if (pool.Uuid != layout.PoolUuid)
        {
            conflicts.Add($"storage pool '{pool.Name}' exists but is not cluster '{layout.Cluster}''s (its UUID is {pool.Uuid}, not {layout.PoolUuid}); "
                + "it is left alone: choose another pool.name or remove it");
            return false;
        }

        if (apply && (pool.Type != "dir" || pool.Path != layout.PoolPath))
        {
            conflicts.Add($"storage pool '{pool.Name}' is the cluster's but is a '{pool.Type}' pool at {pool.Path}, not a dir pool at {layout.PoolPath}; "
                + "destroy the cluster before moving its pool");
            return false;
        }

        return true;
    }

    private static bool CheckNetwork(ClusterLayout layout, ActualNetwork? network, List<string> conflicts)
    {
        if (network is null)
        {
            return false;
        }

        if (network.Definition.Uuid != layout.NetworkUuid)
        {
            conflicts.Add($"network '{network.Name}' exists but is not cluster '{layout.Cluster}''s (its UUID is {network.Definition.Uuid}, not {layout.NetworkUuid}); "
                + "it is left alone: choose another network.name or remove it");
            return false;
        }

        return true;
    }

    /// <summary>
    /// A network that is still to be made must not take an address range or the bridge of another
    /// active network of the host: libvirt would refuse to start it only after the pool, the base image
    /// and the volumes were made. Checked in the plan, so nothing is changed.
    /// </summary>
    private static void CheckHostNetworks(ClusterLayout layout, IReadOnlyList<HostNetwork> others, List<string> conflicts)
    {
        foreach (var other in others.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            foreach (var subnet in other.Subnets.Where(s => s.Overlaps(layout.Subnet)))
            {
                conflicts.Add($"network.cidr: {layout.Subnet} overlaps {subnet} of network '{other.Name}', active on this libvirt host; choose another network.cidr");
            }

            if (string.Equals(other.Bridge, layout.BridgeName, StringComparison.Ordinal))
            {
                conflicts.Add($"network.bridge: {layout.BridgeName} is the bridge of network '{other.Name}', active on this libvirt host; choose another network.bridge");
            }
        }
    }

    private static (Dictionary<string, ActualDomain> Owned, HashSet<string> Conflicting) ClassifyDomains(
        string cluster, IReadOnlyList<ActualDomain> domains, IEnumerable<string> desiredNames, List<string> conflicts)
    {
        var owned = new Dictionary<string, ActualDomain>(StringComparer.Ordinal);
        var conflicting = new HashSet<string>(StringComparer.Ordinal);
        var desired = desiredNames.ToHashSet(StringComparer.Ordinal);
        foreach (var domain in domains.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            if (domain.Mark is { } mark && mark.Cluster == cluster && mark.Node == domain.Name)
            {
                owned[domain.Name] = domain;
            }
            else if (desired.Contains(domain.Name) || NodeNames.TryParse(cluster, domain.Name, out _, out _))
            {
                conflicting.Add(domain.Name);
                conflicts.Add(domain.Mark is null
                    ? $"domain '{domain.Name}' exists without vhpc's metadata mark; it is left alone: remove or rename it"
                    : $"domain '{domain.Name}' is marked as cluster '{domain.Mark.Cluster}''s node '{domain.Mark.Node}'; it is left alone");
            }
        }

        return (owned, conflicting);
    }

    private static void Compare(List<string> differences, string what, string? actual, string desired)
    {
        if (!string.Equals(actual, desired, StringComparison.OrdinalIgnoreCase))
        {
            differences.Add($"{what} is {actual ?? "unset"}, spec wants {desired}");
        }
    }

    /// <summary>Stable order: stages in sequence; inside Nodes, grouped by node in name order.</summary>
    private static List<PlannedAction> Ordered(List<PlannedAction> actions) =>
        actions.Select((a, i) => (a, i))
            .OrderBy(x => x.a.Stage)
            .ThenBy(x => x.a.Stage == PlanStage.Nodes ? x.a.Node : "", StringComparer.Ordinal)
            .ThenBy(x => x.i)
            .Select(x => x.a)
            .ToList();

    private static PlannedAction Prepare(ActionKind kind, ObjectKind target, string name, string reason) =>
        new(kind, target, name, reason) { Stage = PlanStage.Prepare };

    private static PlannedAction NodeAction(string node, ActionKind kind, ObjectKind target, string name, string reason) =>
        new(kind, target, name, reason) { Stage = PlanStage.Nodes, Node = node };
}
