using Vhpc.Seed;

namespace Vhpc.Provisioning.Seeds;

/// <summary>
/// The engine's seed step over <see cref="NodeSeedContent"/>: the cluster user with the cluster key,
/// the node's names, and an instance-id tied to the node's disk (a new disk gets a new id, so cloud-init's
/// per-instance modules run again). The network stays DHCP: the fixed DHCP host entries give each node
/// its address.
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
            $"{request.Layout.Cluster}-{node.Name}-{node.DiskHash}")).ToSeed();
    }
}
