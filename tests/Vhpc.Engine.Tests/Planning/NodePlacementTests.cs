using Vhpc.Engine.Tests.Spec;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Planning;

/// <summary>Issue 16: where nodes go. Pure: the layout, where domains were found, which hosts could not be read.</summary>
[Tier(TestTier.Unit)]
public class NodePlacementTests
{
    private static readonly Dictionary<string, string> Nothing = [];
    private static readonly HashSet<string> AllRead = [];

    /// <summary>Management and workers take 2 vCPUs and 2048 MiB each (the sample spec).</summary>
    public static ClusterSpec Hosts(int workers = 3, PlacementPolicy policy = PlacementPolicy.Spread, string? pin = null,
        int vcpus = 8, int memoryMiB = 16384, int hosts = 2) => SpecSamples.Spec(workers: workers) with
    {
        Hosts = Enumerable.Range(1, hosts).Select(i => new HostSpec($"h{i}", $"qemu+ssh://root@h{i}.example/system", vcpus, memoryMiB)).ToList(),
        Placement = new PlacementSpec(policy, pin),
        Network = new NetworkSpec("vhpc-net", "10.40.0.0/24", "br-span", NetworkMode.Bridge),
    };

    [Fact]
    public void Spread_alternates_management_and_workers_over_the_hosts()
    {
        var decision = NodePlacement.Place(ClusterLayout.From(Hosts()), Nothing, AllRead);

        Assert.True(decision.Fits, decision.Refusal);
        Assert.Equal(["h1", "h2", "h1", "h2"], decision.Nodes.Select(n => n.Host));
        Assert.All(decision.Nodes, n => Assert.Equal(PlacementKind.New, n.Kind));
        Assert.StartsWith("spread: the host with the fewest of the cluster's nodes", decision.Nodes[1].Reason, StringComparison.Ordinal);
        Assert.Equal(["vhpc-m-01", "vhpc-w-02"], decision.NodesOn("h1").Select(n => n.Name));
        Assert.Equal("h1: 4 of 8 vCPUs, 4096 of 16384 MiB, 2 nodes", decision.Hosts[0].Describe());
    }

    [Fact]
    public void Pack_fills_the_first_host_before_the_next()
    {
        var decision = NodePlacement.Place(ClusterLayout.From(Hosts(workers: 4, policy: PlacementPolicy.Pack, vcpus: 6)), Nothing, AllRead);

        Assert.Equal(["h1", "h1", "h1", "h2", "h2"], decision.Nodes.Select(n => n.Host));
        Assert.Equal("pack: the first listed host with room", decision.Nodes[4].Reason);
    }

    [Fact]
    public void The_management_node_goes_where_it_is_pinned()
    {
        var decision = NodePlacement.Place(ClusterLayout.From(Hosts(pin: "h2")), Nothing, AllRead);

        Assert.Equal(["h2", "h1", "h1", "h2"], decision.Nodes.Select(n => n.Host));
        Assert.Equal("placement.management", decision.Nodes[0].Reason);
    }

    [Fact]
    public void Nodes_that_exist_stay_where_they_are_and_a_scale_out_fills_where_they_fit()
    {
        // Earlier everything was packed on h2; now the policy is spread and there are five workers.
        var existing = new Dictionary<string, string> { ["vhpc-m-01"] = "h2", ["vhpc-w-01"] = "h2", ["vhpc-w-02"] = "h2" };

        var decision = NodePlacement.Place(ClusterLayout.From(Hosts(workers: 5)), existing, AllRead);

        Assert.Equal(["h2", "h2", "h2", "h1", "h1", "h1"], decision.Nodes.Select(n => n.Host));
        Assert.Equal(PlacementKind.Existing, decision.Nodes[0].Kind);
        Assert.Equal("its domain is on h2", decision.Nodes[0].Reason);
        Assert.All(decision.Nodes.Skip(3), n => Assert.Equal(PlacementKind.New, n.Kind));
    }

    [Fact]
    public void An_existing_management_node_is_never_moved_to_its_pinned_host()
    {
        var existing = new Dictionary<string, string> { ["vhpc-m-01"] = "h1" };

        var decision = NodePlacement.Place(ClusterLayout.From(Hosts(pin: "h2")), existing, AllRead);

        Assert.Equal("h1", decision.HostOf("vhpc-m-01"));
        Assert.Contains("placement.management asks for h2; a node is never moved", decision.Nodes[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cluster_that_does_not_fit_is_refused_with_each_hosts_numbers()
    {
        // 2 + 4 x 2 = 10 vCPUs on two hosts of 4 each: the fifth node fits nowhere.
        var decision = NodePlacement.Place(ClusterLayout.From(Hosts(workers: 4, vcpus: 4)), Nothing, AllRead);

        Assert.False(decision.Fits);
        Assert.Equal("the cluster does not fit: vhpc-w-04 (2 vCPUs, 2048 MiB) fits on no host. Per host, placed vs allowed: "
            + "h1: 4 of 4 vCPUs, 4096 of 16384 MiB, 2 nodes; h2: 4 of 4 vCPUs, 4096 of 16384 MiB, 2 nodes. "
            + "The cluster asks 10 vCPUs and 10240 MiB in all", decision.Refusal);
        Assert.Null(decision.HostOf("vhpc-w-04"));
    }

    [Fact]
    public void A_pinned_management_node_that_does_not_fit_says_so()
    {
        var existing = new Dictionary<string, string> { ["vhpc-w-01"] = "h2", ["vhpc-w-02"] = "h2" };

        var decision = NodePlacement.Place(ClusterLayout.From(Hosts(workers: 2, pin: "h2", vcpus: 4)), existing, AllRead);

        Assert.StartsWith("the cluster does not fit: vhpc-m-01 (2 vCPUs, 2048 MiB) is pinned to h2 (placement.management), which has 0 vCPUs and 12288 MiB left",
            decision.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void While_a_host_cannot_be_read_no_node_that_was_not_found_is_placed()
    {
        var existing = new Dictionary<string, string> { ["vhpc-m-01"] = "h1", ["vhpc-w-02"] = "h1" };

        var decision = NodePlacement.Place(ClusterLayout.From(Hosts()), existing, new HashSet<string> { "h2" });

        Assert.True(decision.Fits);
        Assert.Equal(["h1", null, "h1", null], decision.Nodes.Select(n => n.Host));
        Assert.All(decision.Nodes.Where(n => n.Host is null), n =>
        {
            Assert.Equal(PlacementKind.NotPlaced, n.Kind);
            Assert.Equal("not placed: host h2 could not be read and the node may be there (a node is never made twice)", n.Reason);
        });
        Assert.Equal("h2: 0 of 8 vCPUs, 0 of 16384 MiB, 0 nodes (could not be read)", decision.Hosts[1].Describe());
    }

    [Fact]
    public void The_single_host_form_puts_every_node_on_its_one_host_without_limits()
    {
        var decision = NodePlacement.Place(ClusterLayout.From(SpecSamples.Spec(workers: 64)), Nothing, AllRead);

        Assert.True(decision.Fits);
        Assert.All(decision.Nodes, n => Assert.Equal("local", n.Host));
        Assert.Equal("local: 130 vCPUs, 133120 MiB, 65 nodes", decision.Hosts[0].Describe());
    }

    [Fact]
    public void Placement_is_deterministic_and_never_exceeds_a_host()
    {
        for (var workers = 1; workers <= 12; workers++)
        {
            foreach (var policy in new[] { PlacementPolicy.Spread, PlacementPolicy.Pack })
            {
                var layout = ClusterLayout.From(Hosts(workers: workers, policy: policy, vcpus: 10, memoryMiB: 12288, hosts: 3));
                var first = NodePlacement.Place(layout, Nothing, AllRead);
                var again = NodePlacement.Place(layout, Nothing, AllRead);
                Assert.Equal(first.Nodes.Select(n => n.Host), again.Nodes.Select(n => n.Host));
                Assert.All(first.Hosts, h => Assert.True(h.Vcpus <= 10 && h.MemoryMiB <= 12288, h.Describe()));
                Assert.Equal(1 + workers <= 15, first.Fits);
            }
        }
    }
}
