using System.Diagnostics;
using Vhpc.Engine.Status;
using Vhpc.Guests;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Planning;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec;
using Vhpc.Spec.Addressing;
using Vhpc.Spec.Layout;

namespace Vhpc.Provisioning.Reconcile;

/// <summary>
/// Reads the <see cref="ActualState"/> a plan starts from, through the connection only: the pool and
/// network named by the layout, the pool's volumes (only when the pool is the cluster's), and every
/// domain that carries the cluster's mark or follows its node naming.
/// </summary>
internal static class ClusterStateReader
{
    private const string Running = "running";

    public static ActualState Read(Connection connection, ClusterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(layout);
        ActualPool? pool = null;
        var volumes = new List<ActualVolume>();
        using (var p = connection.LookupStoragePool(layout.PoolName))
        {
            if (p is not null)
            {
                var (uuid, type, path) = PoolXml.Parse(p.GetXml());
                var active = p.IsActive;
                pool = new ActualPool(p.Name, uuid, type, path, active);
                if (active && uuid == layout.PoolUuid)
                {
                    // Files may have changed behind libvirt's back (a crash, a manual rm).
                    RefreshPool(p);
                    foreach (var volume in p.ListVolumes())
                    {
                        using (volume)
                        {
                            volumes.Add(new ActualVolume(volume.Name, volume.Path));
                        }
                    }
                }
            }
        }

        ActualNetwork? network = null;
        using (var n = connection.LookupNetwork(layout.NetworkName))
        {
            if (n is not null)
            {
                network = new ActualNetwork(n.Name, n.IsActive, NetworkXml.Parse(n.GetXml()));
            }
        }

        return new ActualState(pool, volumes, network, ReadDomains(connection, layout.Cluster))
        {
            // Only a network still to be made is checked against the others (status and destroy never need them).
            OtherNetworks = network is null ? ReadOtherNetworks(connection, layout.NetworkName) : [],
        };
    }

    /// <summary>
    /// Refreshes a pool. libvirt refuses while the pool "has asynchronous jobs running": a volume
    /// upload whose client crashed or gave up is still being torn down (seen right after a SIGKILL
    /// mid-upload). That is waited out, every 200 ms for up to 10 s; any other error is thrown at once.
    /// </summary>
    public static void RefreshPool(StoragePool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                pool.Refresh();
                return;
            }
            catch (LibvirtException e) when (e.Code == ErrorCode.InternalError
                && e.Message.Contains("asynchronous jobs running", StringComparison.Ordinal)
                && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(200);
            }
        }
    }

    /// <summary>The host's other active networks, with their bridges and IPv4 subnets.</summary>
    public static IReadOnlyList<HostNetwork> ReadOtherNetworks(Connection connection, string ownName)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return ReadListed(connection.ListNetworks(), network =>
        {
            if (network.Name == ownName || !network.IsActive)
            {
                return null;
            }

            var (bridge, subnets) = NetworkXml.ParseAddressing(network.GetXml());
            return new HostNetwork(network.Name, bridge, subnets);
        });
    }

    public static IReadOnlyList<ActualDomain> ReadDomains(Connection connection, string cluster)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return ReadListed(connection.ListDomains(), domain =>
        {
            var xml = domain.GetXml();
            var mark = NodeMark.FromDomainXml(xml);
            return mark?.Cluster == cluster || NodeNames.TryParse(cluster, domain.Name, out _, out _)
                ? new ActualDomain(domain.Name, domain.IsActive, mark, DomainXml.ParseDiskPaths(xml))
                : null;
        });
    }

    /// <summary>
    /// Reads each listed object (null: not wanted) and disposes it. A listing is a snapshot: any object
    /// of the host (another cluster's, a transient domain) may be undefined before it is read. Gone
    /// means not there, never a failed plan.
    /// </summary>
    private static List<TResult> ReadListed<TObject, TResult>(IReadOnlyList<TObject> listed, Func<TObject, TResult?> read)
        where TObject : IDisposable
        where TResult : class
    {
        var results = new List<TResult>();
        foreach (var item in listed)
        {
            using (item)
            {
                try
                {
                    if (read(item) is { } result)
                    {
                        results.Add(result);
                    }
                }
                catch (LibvirtException e) when (e.IsNotFound)
                {
                }
            }
        }

        return results;
    }

    /// <summary>
    /// Status as one host's libvirt reports it: for each node whose domain (the cluster's own) is there,
    /// its domain state, address, spec drift and what the guests layer needs to add SSH and configuration;
    /// the node names held by domains that are not the cluster's; the cluster's domains that are not in
    /// the spec. The address is the lease's on a NAT network, the fixed one of a running node in bridge mode
    /// (its seed gives it that address; there is no lease to read).
    /// </summary>
    public static HostStatusReading ReadHostStatus(Connection connection, ClusterLayout layout, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(host);
        var actual = Read(connection, layout);
        var networkOwned = actual.Network is { } n && n.Definition.Uuid == layout.NetworkUuid;
        IReadOnlyList<DhcpLease> leases = [];
        if (networkOwned && actual.Network!.Active && !layout.IsBridged)
        {
            using var network = connection.LookupNetwork(layout.NetworkName);
            try
            {
                leases = network?.GetDhcpLeases() ?? [];
            }
            catch (LibvirtException e) when (e.Code == ErrorCode.NoSupport)
            {
                // A driver without lease reporting (the test driver): addresses stay unknown (null).
            }
        }

        var owned = actual.Domains.Where(d => d.Mark?.Cluster == layout.Cluster && d.Mark.Node == d.Name).ToDictionary(d => d.Name, StringComparer.Ordinal);
        var found = new Dictionary<string, FoundNode>(StringComparer.Ordinal);
        foreach (var node in layout.ClusterNodes)
        {
            if (!owned.TryGetValue(node.Name, out var domain))
            {
                continue;
            }

            var stale = domain.Mark!.SpecHash != node.SpecHash;
            var state = DomainStateText(connection, node.Name);
            var lease = leases.Where(l => string.Equals(l.Mac, node.Mac, StringComparison.OrdinalIgnoreCase)).MaxBy(l => l.ExpiryTime);
            var address = layout.IsBridged ? (state == Running ? node.Address.ToString() : null) : lease?.IPAddress.ToString();
            found[node.Name] = new FoundNode(
                new NodeStatus(node.Name, RoleText(node.Role), state, address, lease?.ExpiryTime,
                    stale ? "defined from an older spec; apply to replace it" : null) { Host = host.Name },
                new GuestStatusTarget(node, state == Running, domain.Mark.DiskHash));
        }

        var extras = owned.Values.Where(d => layout.ClusterNodes.All(n => n.Name != d.Name))
            .Select(d => new NodeStatus(d.Name, RoleText(d.Mark!.Role), DomainStateText(connection, d.Name), null, null, "not in the spec; apply removes it")
            {
                Host = host.Name,
            })
            .ToList();
        var foreign = actual.Domains.Where(d => !owned.ContainsKey(d.Name)).Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        return new HostStatusReading(host, null, networkOwned && actual.Network!.Active, found, foreign, extras);
    }

    /// <summary>
    /// The cluster's status from every host's reading, nodes in the layout's order: each node from the host
    /// holding its domain; a node no host holds is "missing" (or "conflict" when a domain that is not the
    /// cluster's has its name), unless a host could not be read: then it is "unknown", since it may be there.
    /// The network is active when it is on every host that holds nodes (on the one host of a single-host cluster).
    /// </summary>
    public static StatusReading Merge(ClusterLayout layout, IReadOnlyList<HostStatusReading> hosts)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(hosts);
        var unread = hosts.Where(h => h.Error is not null).ToList();
        var nodes = new List<NodeStatus>();
        var targets = new List<GuestStatusTarget>();
        foreach (var node in layout.ClusterNodes)
        {
            var holders = hosts.Where(h => h.Nodes.ContainsKey(node.Name)).ToList();
            if (holders.Count > 0)
            {
                var found = holders[0].Nodes[node.Name];
                nodes.Add(holders.Count == 1 ? found.Status : found.Status with
                {
                    Error = $"its domain is also on {string.Join(", ", holders.Skip(1).Select(h => h.Host.Name))}: two host entries name one libvirt host, or it was copied",
                });
                targets.Add(found.Target);
                continue;
            }

            var role = RoleText(node.Role);
            if (unread.Count > 0)
            {
                nodes.Add(new NodeStatus(node.Name, role, "unknown", null, null,
                    string.Join("; ", unread.Select(h => $"host {h.Host.Name} ({h.Host.Connect}) could not be read: {h.Error}")) + "; the node may be there"));
            }
            else
            {
                var foreign = hosts.Any(h => h.ForeignNames.Contains(node.Name));
                nodes.Add(new NodeStatus(node.Name, role, foreign ? "conflict" : "missing", null, null,
                    foreign ? "a domain with this name exists but is not this cluster's" : null));
            }

            targets.Add(new GuestStatusTarget(node, false, null));
        }

        nodes.AddRange(hosts.SelectMany(h => h.Extras));
        var holding = hosts.Where(h => h.Nodes.Count > 0).ToList();
        var networkActive = hosts.Count == 1
            ? hosts[0].NetworkActive
            : unread.Count == 0 && holding.Count > 0 && holding.All(h => h.NetworkActive);
        return new StatusReading(new ClusterStatus(layout.Cluster, networkActive, nodes), targets);
    }

    private static string RoleText(NodeRole role) => role == NodeRole.Management ? "management" : "worker";

    private static string DomainStateText(Connection connection, string name)
    {
        using var domain = connection.LookupDomain(name);
        return domain?.GetState() switch
        {
            null => "missing",
            Libvirt.DomainState.Running => Running,
            Libvirt.DomainState.Shutoff => "shut off",
            Libvirt.DomainState.Paused => "paused",
            Libvirt.DomainState.Shutdown => "shutting down",
            Libvirt.DomainState.Crashed => "crashed",
            { } other => other.ToString().ToLowerInvariant(),
        };
    }
}

/// <summary>Status from libvirt, and the nodes the guests layer is asked about.</summary>
public sealed record StatusReading(ClusterStatus Status, IReadOnlyList<GuestStatusTarget> Targets);

/// <summary>What one host reports for status (see <see cref="ClusterStateReader.ReadHostStatus"/>); <see cref="Error"/> when it could not be read.</summary>
internal sealed record HostStatusReading(
    HostSpec Host,
    string? Error,
    bool NetworkActive,
    IReadOnlyDictionary<string, FoundNode> Nodes,
    IReadOnlySet<string> ForeignNames,
    IReadOnlyList<NodeStatus> Extras)
{
    public static HostStatusReading Unread(HostSpec host, string error) =>
        new(host, error, false, new Dictionary<string, FoundNode>(), new HashSet<string>(), []);
}

/// <summary>A node whose domain a host holds: its status and what the guests layer is asked about it.</summary>
internal sealed record FoundNode(NodeStatus Status, GuestStatusTarget Target);
