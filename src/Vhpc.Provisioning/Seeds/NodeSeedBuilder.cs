using Vhpc.Seed;

namespace Vhpc.Provisioning.Seeds;

/// <summary>
/// The engine's seed step over <see cref="NodeSeedContent"/>: the cluster user with the cluster key,
/// the node's names, and an instance-id tied to the node's disk (a new disk gets a new id, so cloud-init's
/// per-instance modules run again). On a NAT network the node uses DHCP (the fixed DHCP host entries
/// give it its address); in bridge mode there is no libvirt DHCP, so network-config (version 2) gives
/// it its fixed address, the CIDR's prefix, and the spec's gateway and DNS servers when set.
/// </summary>
internal sealed class NodeSeedBuilder : ISeedBuilder
{
    public NoCloudSeed Build(SeedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var node = request.Node;
        return NodeSeedContent.Generate(new NodeSeedRequest(
            request.Layout.Spec.User.Name,
            [request.AuthorizedKey],
            node.Name,
            node.Fqdn,
            node.Address,
            $"{request.Layout.Cluster}-{node.Name}-{node.DiskHash}",
            StaticNetworkOf(request.Layout, node))).ToSeed();
    }

    private static StaticNetwork? StaticNetworkOf(Spec.Layout.ClusterLayout layout, Spec.Layout.ClusterNode node)
    {
        if (!layout.IsBridged)
        {
            return null;
        }

        var nameservers = layout.Nameservers;
        return new StaticNetwork(node.Mac, node.Address, layout.Subnet.PrefixLength, layout.StaticGateway, nameservers,
            nameservers.Count > 0 ? [layout.Spec.Domain] : []);
    }
}
