using System.Diagnostics;
using Vhpc.Engine.Status;
using Vhpc.Guests;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Planning;
using Vhpc.Provisioning.Xml;
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
    /// Per-node status as libvirt reports it (domain state, lease, ownership, spec drift), and for each
    /// node of the layout what the guests layer needs to add SSH and configuration: whether its domain
    /// (the cluster's own) runs, and the disk hash it was defined with.
    /// </summary>
    public static StatusReading ReadStatus(Connection connection, ClusterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(layout);
        var actual = Read(connection, layout);
        var networkOwned = actual.Network is { } n && n.Definition.Uuid == layout.NetworkUuid;
        IReadOnlyList<DhcpLease> leases = [];
        if (networkOwned && actual.Network!.Active)
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
        var nodes = new List<NodeStatus>();
        var targets = new List<GuestStatusTarget>();
        foreach (var node in layout.Nodes)
        {
            var lease = leases.Where(l => string.Equals(l.Mac, node.Mac, StringComparison.OrdinalIgnoreCase)).MaxBy(l => l.ExpiryTime);
            var role = node.Role == NodeRole.Management ? "management" : "worker";
            if (owned.TryGetValue(node.Name, out var domain))
            {
                var stale = domain.Mark!.SpecHash != node.SpecHash;
                var state = DomainStateText(connection, node.Name);
                nodes.Add(new NodeStatus(node.Name, role, state, lease?.IPAddress.ToString(), lease?.ExpiryTime,
                    stale ? "defined from an older spec; apply to replace it" : null));
                targets.Add(new GuestStatusTarget(node, state == Running, domain.Mark.DiskHash));
            }
            else
            {
                var foreign = actual.Domains.Any(d => d.Name == node.Name);
                nodes.Add(new NodeStatus(node.Name, role, foreign ? "conflict" : "missing", null, null,
                    foreign ? "a domain with this name exists but is not this cluster's" : null));
                targets.Add(new GuestStatusTarget(node, false, null));
            }
        }

        foreach (var extra in owned.Values.Where(d => layout.Nodes.All(n => n.Name != d.Name)))
        {
            nodes.Add(new NodeStatus(extra.Name, extra.Mark!.Role == NodeRole.Management ? "management" : "worker",
                DomainStateText(connection, extra.Name), null, null, "not in the spec; apply removes it"));
        }

        return new StatusReading(new ClusterStatus(layout.Cluster, networkOwned && actual.Network!.Active, nodes), targets);
    }

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
