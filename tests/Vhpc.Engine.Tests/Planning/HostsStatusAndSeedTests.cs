using System.Text;
using Vhpc.Engine.Status;
using Vhpc.Engine.Tests.Spec;
using Vhpc.Guests;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Provisioning.Seeds;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Planning;

/// <summary>Issue 16: status merged from each host's reading, and the seeds of a bridge-mode network.</summary>
[Tier(TestTier.Unit)]
public class HostsStatusAndSeedTests
{
    private static readonly ClusterLayout Two = ClusterLayout.From(NodePlacementTests.Hosts());

    [Fact]
    public void Status_gives_each_node_from_the_host_holding_its_domain_with_that_hosts_name()
    {
        var status = ClusterStateReader.Merge(Two, [Reading("h1", "vhpc-m-01", "vhpc-w-02"), Reading("h2", "vhpc-w-01", "vhpc-w-03")]).Status;

        Assert.Equal([("vhpc-m-01", "h1"), ("vhpc-w-01", "h2"), ("vhpc-w-02", "h1"), ("vhpc-w-03", "h2")], status.Nodes.Select(n => (n.Name, n.Host)));
        Assert.All(status.Nodes, n => Assert.Equal("running", n.State));
        Assert.True(status.NetworkActive);
    }

    [Fact]
    public void While_a_host_cannot_be_read_the_nodes_no_other_host_holds_are_unknown_not_missing()
    {
        var reading = ClusterStateReader.Merge(Two, [Reading("h1", "vhpc-m-01", "vhpc-w-02"), HostStatusReading.Unread(Two.Hosts[1], "Cannot recv data: Connection reset by peer")]);
        var byName = reading.Status.Nodes.ToDictionary(n => n.Name);

        Assert.Equal(("running", "h1"), (byName["vhpc-w-02"].State, byName["vhpc-w-02"].Host));
        Assert.Equal(("unknown", null), (byName["vhpc-w-01"].State, byName["vhpc-w-01"].Host));
        Assert.Equal("host h2 (qemu+ssh://root@h2.example/system) could not be read: Cannot recv data: Connection reset by peer; the node may be there",
            byName["vhpc-w-03"].Error);
        Assert.False(reading.Status.NetworkActive);
        Assert.Equal(4, reading.Targets.Count);
    }

    [Fact]
    public void A_node_whose_domain_two_hosts_hold_is_shown_once_with_the_other_host_in_its_error()
    {
        var status = ClusterStateReader.Merge(Two, [Reading("h1", "vhpc-m-01", "vhpc-w-01"), Reading("h2", "vhpc-w-01")]).Status;

        var node = status.Nodes.Single(n => n.Name == "vhpc-w-01");
        Assert.Equal("h1", node.Host);
        Assert.StartsWith("its domain is also on h2", node.Error, StringComparison.Ordinal);
        Assert.Equal(["missing", "missing"], status.Nodes.Where(n => n.Name is "vhpc-w-02" or "vhpc-w-03").Select(n => n.State));
    }

    [Fact]
    public void In_bridge_mode_each_seed_carries_the_nodes_fixed_address_prefix_gateway_and_dns_for_its_mac()
    {
        var layout = ClusterLayout.From(NodePlacementTests.Hosts() with
        {
            Network = new NetworkSpec("vhpc-net", "10.40.0.0/24", "br-span", NetworkMode.Bridge, "10.40.0.254", ["10.40.0.253"]),
        });
        var node = layout.ClusterNodes[2];

        var seed = new NodeSeedBuilder().Build(new SeedRequest(layout, node, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2c7Ff0oaGzvBP8ZzpbLvFJJ5W0M7Hf8t4m6L8q2m0x vhpc"));
        var files = seed.Image.Files.ToDictionary(f => f.Name, f => Encoding.UTF8.GetString(f.Content.Span));

        var eth0 = Vhpc.Engine.Tests.Seeds.PyYaml.Load(Encoding.UTF8.GetBytes(files["network-config"])).GetProperty("ethernets").GetProperty("eth0");
        Assert.Equal(node.Mac, eth0.GetProperty("match").GetProperty("macaddress").GetString());
        Assert.False(eth0.GetProperty("dhcp4").GetBoolean());
        Assert.Equal($"{node.Address}/24", eth0.GetProperty("addresses")[0].GetString());
        Assert.Equal("10.40.0.254", eth0.GetProperty("routes")[0].GetProperty("via").GetString());
        Assert.Equal("10.40.0.253", eth0.GetProperty("nameservers").GetProperty("addresses")[0].GetString());
        Assert.Equal("vhpc.local", eth0.GetProperty("nameservers").GetProperty("search")[0].GetString());
    }

    [Fact]
    public void On_a_nat_network_the_seed_has_no_network_config_and_the_address_stays_with_dhcp()
    {
        var layout = ClusterLayout.From(SpecSamples.Spec());

        var seed = new NodeSeedBuilder().Build(new SeedRequest(layout, layout.ClusterNodes[0], "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2c7Ff0oaGzvBP8ZzpbLvFJJ5W0M7Hf8t4m6L8q2m0x vhpc"));

        Assert.Equal(["meta-data", "user-data"], seed.Image.Files.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    /// <summary>A readable host holding the running domains of <paramref name="nodes"/>.</summary>
    private static HostStatusReading Reading(string host, params string[] nodes)
    {
        var spec = Two.Hosts.Single(h => h.Name == host);
        var found = nodes.ToDictionary(n => n, n =>
        {
            var node = Two.ClusterNodes.Single(c => c.Name == n);
            return new FoundNode(new NodeStatus(n, node.Role == Vhpc.Spec.Addressing.NodeRole.Management ? "management" : "worker", "running",
                node.Address.ToString(), null, null) { Host = host }, new GuestStatusTarget(node, true, node.DiskHash));
        });
        return new HostStatusReading(spec, null, true, found, new HashSet<string>(), []);
    }
}
