using Vhpc.Engine.Plans;
using Vhpc.Provisioning.Planning;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec.Layout;

namespace Vhpc.Engine.Tests.Planning;

/// <summary>
/// Applies a plan to an <see cref="ActualState"/> the way the reconciler changes libvirt, so planner
/// properties (convergence, ownership) can be checked over thousands of states without libvirt. The
/// network's state goes through the real builder and parser.
/// </summary>
internal static class PlanSimulator
{
    public static ActualState Apply(ClusterLayout layout, ActualState state, ClusterPlan plan)
    {
        var pool = state.Pool;
        var volumes = state.Volumes.ToList();
        var network = state.Network;
        var domains = state.Domains.ToList();
        foreach (var action in plan.Actions)
        {
            switch (action.Target, action.Kind)
            {
                case (ObjectKind.Pool, ActionKind.Create):
                    pool = new ActualPool(layout.PoolName, layout.PoolUuid, "dir", layout.PoolPath, true);
                    break;
                case (ObjectKind.Pool, ActionKind.Start):
                    pool = pool! with { Active = true };
                    break;
                case (ObjectKind.Pool, ActionKind.Delete):
                    pool = null;
                    volumes.Clear();
                    break;
                case (ObjectKind.Volume, ActionKind.Create or ActionKind.Replace):
                    volumes.RemoveAll(v => v.Name == action.Name);
                    volumes.Add(new ActualVolume(action.Name, $"{layout.PoolPath}/{action.Name}"));
                    if (action.Name == layout.BaseVolumeName)
                    {
                        volumes.RemoveAll(v => v.Name == layout.BaseVolumeMarkerName);
                        volumes.Add(new ActualVolume(layout.BaseVolumeMarkerName, $"{layout.PoolPath}/{layout.BaseVolumeMarkerName}"));
                    }

                    break;
                case (ObjectKind.Volume, ActionKind.Delete):
                    Assert.Equal(1, volumes.RemoveAll(v => v.Name == action.Name));
                    break;
                case (ObjectKind.Network, ActionKind.Create or ActionKind.Replace):
                    network = new ActualNetwork(layout.NetworkName, true, NetworkXml.Parse(NetworkXml.Build(layout)));
                    break;
                case (ObjectKind.Network, ActionKind.Start):
                    network = network! with { Active = true };
                    break;
                case (ObjectKind.Network, ActionKind.Delete):
                    network = null;
                    break;
                case (ObjectKind.DhcpHost, ActionKind.Create):
                    network = WithHosts(network!, network!.Definition.Hosts.Append(Desired(layout, action.Name)));
                    break;
                case (ObjectKind.DhcpHost, ActionKind.Update):
                    var host = Desired(layout, action.Name);
                    network = WithHosts(network!, network!.Definition.Hosts.Select(h => string.Equals(h.Mac, host.Mac, StringComparison.OrdinalIgnoreCase) ? host : h));
                    break;
                case (ObjectKind.DhcpHost, ActionKind.Delete):
                    network = WithHosts(network!, network!.Definition.Hosts.Where(h => h.Name != action.Name));
                    break;
                case (ObjectKind.Domain, ActionKind.Create or ActionKind.Replace):
                    var node = layout.Nodes.Single(n => n.Name == action.Name);
                    domains.RemoveAll(d => d.Name == action.Name);
                    domains.Add(new ActualDomain(node.Name, false, new NodeMark(layout.Cluster, node.Name, node.Role, node.Index, node.SpecHash, node.DiskHash,
                        layout.NamesHosts ? layout.Host?.Name : null),
                        [$"{layout.PoolPath}/{node.OverlayVolume}", $"{layout.PoolPath}/{node.SeedVolume}"]));
                    break;
                case (ObjectKind.Domain, ActionKind.Start):
                    var index = domains.FindIndex(d => d.Name == action.Name);
                    domains[index] = domains[index] with { Active = true };
                    break;
                case (ObjectKind.Domain, ActionKind.Delete):
                    Assert.Equal(1, domains.RemoveAll(d => d.Name == action.Name));
                    break;
                default:
                    throw new InvalidOperationException(action.ToString());
            }
        }

        return new ActualState(pool, volumes, network, domains);
    }

    private static DhcpHost Desired(ClusterLayout layout, string node) => NetworkXml.DesiredHosts(layout).Single(h => h.Name == node);

    private static ActualNetwork WithHosts(ActualNetwork network, IEnumerable<DhcpHost> hosts) =>
        network with { Definition = network.Definition with { Hosts = hosts.ToList() } };
}
