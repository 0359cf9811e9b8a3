using Vhpc.Engine.Naming;
using Vhpc.Engine.Planning;
using Vhpc.Engine.Xml;
using Vhpc.Libvirt;

namespace Vhpc.Engine.Reconcile;

/// <summary>
/// Reads the <see cref="ActualState"/> a plan starts from, through the connection only: the pool and
/// network named by the layout, the pool's volumes (only when the pool is the cluster's), and every
/// domain that carries the cluster's mark or follows its node naming.
/// </summary>
public static class ClusterStateReader
{
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
                    p.Refresh();
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

        return new ActualState(pool, volumes, network, ReadDomains(connection, layout.Cluster));
    }

    public static IReadOnlyList<ActualDomain> ReadDomains(Connection connection, string cluster)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var domains = new List<ActualDomain>();
        foreach (var domain in connection.ListDomains())
        {
            using (domain)
            {
                // The list is a snapshot: any domain of the host (another cluster's, a transient one)
                // may be undefined before we read it. Gone means not there, never a failed plan.
                try
                {
                    var xml = domain.GetXml();
                    var mark = NodeMark.FromDomainXml(xml);
                    if (mark?.Cluster == cluster || ClusterLayout.TryParseNodeName(cluster, domain.Name, out _, out _))
                    {
                        domains.Add(new ActualDomain(domain.Name, domain.IsActive, mark, DomainXml.ParseDiskPaths(xml)));
                    }
                }
                catch (LibvirtException e) when (e.IsNotFound)
                {
                }
            }
        }

        return domains;
    }
}
