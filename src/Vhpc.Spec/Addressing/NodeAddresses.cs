namespace Vhpc.Spec.Addressing;

/// <summary>
/// Fixed node addresses: the gateway is the first usable address, management node m-NN is gateway+NN,
/// worker w-NN is gateway+1+NN. They live in the lower half of the subnet; the upper half is the DHCP
/// range for anything else, so resizing never moves the range or another node.
/// </summary>
public static class NodeAddresses
{
    public static uint Of(Ipv4Subnet subnet, NodeRole role, int index) =>
        subnet.Network + 1 + (uint)index + (role == NodeRole.Worker ? 1u : 0u);

    /// <summary>How many workers fit below the DHCP range of <paramref name="subnet"/> beside one management node.</summary>
    public static long MaxWorkers(Ipv4Subnet subnet) => Math.Max(0, (subnet.UsableCount / 2) - 2);
}
