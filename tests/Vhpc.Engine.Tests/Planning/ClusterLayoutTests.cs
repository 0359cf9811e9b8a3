using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vhpc.Engine.Tests.Spec;
using Vhpc.Spec;
using Vhpc.Spec.Addressing;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Planning;

[Tier(TestTier.Unit)]
public class ClusterLayoutTests
{
    [Fact]
    public void Names_addresses_and_volumes_follow_the_documented_scheme()
    {
        var layout = ClusterLayout.From(SpecSamples.Spec(workers: 3));

        Assert.Equal(["vhpc-m-01", "vhpc-w-01", "vhpc-w-02", "vhpc-w-03"], layout.Nodes.Select(n => n.Name));
        Assert.Equal("vhpc-w-02.vhpc.local", layout.Nodes[2].Fqdn);
        Assert.Equal("192.168.123.1", layout.Gateway.ToString());
        Assert.Equal(["192.168.123.2", "192.168.123.3", "192.168.123.4", "192.168.123.5"], layout.Nodes.Select(n => n.Address.ToString()));
        Assert.Equal(("192.168.123.128", "192.168.123.254"), (layout.DhcpRangeStart.ToString(), layout.DhcpRangeEnd.ToString()));
        Assert.Equal("vh-vhpc", layout.BridgeName);
        Assert.Equal("vhpc-base-0123456789abcdef.qcow2", layout.BaseVolumeName);
        Assert.Equal("vhpc-base-0123456789abcdef.qcow2.complete", layout.BaseVolumeMarkerName);
        Assert.Equal(("vhpc-w-01.qcow2", "vhpc-w-01-seed.iso"), (layout.Nodes[1].OverlayVolume, layout.Nodes[1].SeedVolume));
        Assert.Equal(new ConsoleLogVolume(layout.PoolName, "vhpc-w-01-serial.log"), layout.Nodes[1].ConsoleLog);
        Assert.All(layout.Nodes, n => Assert.Matches("^52:54:00(:[0-9a-f]{2}){3}$", n.Mac));
        Assert.Equal(NodeRole.Management, layout.Management.Role);
    }

    [Fact]
    public void Everything_is_deterministic_and_scaling_out_keeps_existing_nodes_identical()
    {
        var three = ClusterLayout.From(SpecSamples.Spec(workers: 3));
        var again = ClusterLayout.From(SpecSamples.Spec(workers: 3));
        var ten = ClusterLayout.From(SpecSamples.Spec(workers: 10));

        Assert.Equal(three.Nodes, again.Nodes);
        Assert.Equal((three.PoolUuid, three.NetworkUuid), (again.PoolUuid, again.NetworkUuid));
        // Resources carries the group's count; everything else about the existing nodes is unchanged.
        Assert.Equal(three.Nodes.Select(n => n with { Resources = n.Resources with { Count = 0 } }), ten.Nodes.Take(4).Select(n => n with { Resources = n.Resources with { Count = 0 } }));
        Assert.Equal((three.DhcpRangeStart, three.DhcpRangeEnd), (ten.DhcpRangeStart, ten.DhcpRangeEnd));
        Assert.NotEqual(three.PoolUuid, ClusterLayout.From(SpecSamples.Spec(name: "other")).PoolUuid);
        Assert.Equal(8, (int)(three.PoolUuid.ToByteArray(bigEndian: true)[6] >> 4));
    }

    [Fact]
    public void A_changed_node_spec_changes_the_hash_and_a_changed_disk_changes_the_disk_hash()
    {
        var baseline = ClusterLayout.From(SpecSamples.Spec()).Nodes[1];
        var memory = ClusterLayout.From(SpecSamples.Spec() with { Workers = new NodeGroupSpec(3, 2, 4096, 20) }).Nodes[1];
        var disk = ClusterLayout.From(SpecSamples.Spec() with { Workers = new NodeGroupSpec(3, 2, 2048, 40) }).Nodes[1];
        var managementOnly = ClusterLayout.From(SpecSamples.Spec() with { Management = new NodeGroupSpec(1, 4, 2048, 20) }).Nodes[1];

        Assert.NotEqual(baseline.SpecHash, memory.SpecHash);
        Assert.Equal(baseline.DiskHash, memory.DiskHash);
        Assert.NotEqual(baseline.DiskHash, disk.DiskHash);
        Assert.Equal(baseline.SpecHash, managementOnly.SpecHash);
    }

    [Fact]
    public void Long_cluster_names_get_a_short_unique_bridge()
    {
        var a = BridgeNames.DefaultFor("research-cluster-a");
        var b = BridgeNames.DefaultFor("research-cluster-b");

        Assert.True(a.Length <= 15);
        Assert.NotEqual(a, b);
        Assert.StartsWith("vh-researc-", a, StringComparison.Ordinal);
    }

    [Property(MaxTest = 300)]
    public Property Every_valid_size_fits_its_subnet_with_unique_macs_and_addresses(int prefixSeed, int workerSeed)
    {
        var prefix = 16 + Math.Abs(prefixSeed % 14);
        var subnet = new Ipv4Subnet(0x0A_CA_00_00, prefix);
        var workers = 1 + (int)Math.Min(63, Math.Abs(workerSeed % Math.Max(1, NodeAddresses.MaxWorkers(subnet))));
        var spec = SpecSamples.Spec(workers: workers, cidr: subnet.ToString());
        var valid = ClusterSpecValidator.Validate(spec).Count == 0;
        var layout = ClusterLayout.From(spec);
        var addresses = layout.Nodes.Select(n => Ipv4Subnet.FromAddress(n.Address)).Append(Ipv4Subnet.FromAddress(layout.Gateway)).ToList();
        var rangeStart = Ipv4Subnet.FromAddress(layout.DhcpRangeStart);

        return valid.Label($"valid /{prefix} with {workers} workers")
            .And(addresses.Distinct().Count() == addresses.Count).Label("unique addresses")
            .And(addresses.All(a => subnet.Contains(a) && a != subnet.Network && a != subnet.Broadcast && a < rangeStart)).Label("below the DHCP range")
            .And(rangeStart <= Ipv4Subnet.FromAddress(layout.DhcpRangeEnd) && Ipv4Subnet.FromAddress(layout.DhcpRangeEnd) < subnet.Broadcast).Label("range inside")
            .And(layout.Nodes.Select(n => n.Mac).Distinct().Count() == layout.Nodes.Count).Label("unique MACs");
    }

    [Theory]
    [InlineData("vhpc", "vhpc-w-12", true, NodeRole.Worker, 12)]
    [InlineData("vhpc", "vhpc-m-01", true, NodeRole.Management, 1)]
    [InlineData("vhpc", "vhpc-w-00", false, NodeRole.Worker, 0)]
    [InlineData("vhpc", "vhpc-x-01", false, NodeRole.Management, 1)]
    [InlineData("vhpc", "vhpc2-w-01", false, NodeRole.Management, 0)]
    [InlineData("vhpc", "vhpc-w-1a", false, NodeRole.Management, 0)]
    public void Node_names_parse_back(string cluster, string name, bool ok, NodeRole role, int index)
    {
        Assert.Equal(ok, NodeNames.TryParse(cluster, name, out var r, out var i));
        if (ok)
        {
            Assert.Equal((role, index), (r, i));
        }
    }
}
