using Vhpc.Engine.Plans;
using Vhpc.Engine.Tests.Spec;
using Vhpc.Provisioning.Planning;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Planning;

/// <summary>Issue 16: a cluster planned over its hosts from what each holds, host by host with the one-host planner.</summary>
[Tier(TestTier.Unit)]
public class HostsPlannerTests
{
    private static readonly ClusterLayout Two = ClusterLayout.From(NodePlacementTests.Hosts());

    [Fact]
    public void From_nothing_each_host_gets_its_own_pool_base_image_network_and_its_nodes()
    {
        var planned = HostsPlanner.PlanApply(Two, Surveys(Two, ActualState.Empty, ActualState.Empty));
        var plan = planned.Plan;

        Assert.Empty(plan.Conflicts);
        foreach (var host in new[] { "h1", "h2" })
        {
            var prepare = plan.Actions.Where(a => a.Host == host && a.Stage == PlanStage.Prepare).Select(a => (a.Kind, a.Target)).ToList();
            Assert.Equal([(ActionKind.Create, ObjectKind.Pool), (ActionKind.Create, ObjectKind.Volume), (ActionKind.Create, ObjectKind.Network)], prepare);
        }

        Assert.Equal(["vhpc-m-01", "vhpc-w-02"], plan.Actions.Where(a => a.Host == "h1" && a.Node is not null).Select(a => a.Node).Distinct());
        Assert.Equal(["vhpc-w-01", "vhpc-w-03"], plan.Actions.Where(a => a.Host == "h2" && a.Node is not null).Select(a => a.Node).Distinct());
        Assert.DoesNotContain(plan.Actions, a => a.Target == ObjectKind.DhcpHost);
        Assert.Contains(plan.Actions, a => a.Target == ObjectKind.Network && a.Reason.StartsWith("bridge-mode network onto the host bridge br-span", StringComparison.Ordinal));
        Assert.Equal([("vhpc-m-01", "h1"), ("vhpc-w-01", "h2"), ("vhpc-w-02", "h1"), ("vhpc-w-03", "h2")], plan.Placement.Select(p => (p.Node, p.Host)));
        Assert.Equal(["h1: 4 of 8 vCPUs, 4096 of 16384 MiB, 2 nodes", "h2: 4 of 8 vCPUs, 4096 of 16384 MiB, 2 nodes"], plan.Hosts.Select(h => h.Usage));
    }

    [Fact]
    public void Executing_every_hosts_plan_converges_and_the_next_plan_is_empty()
    {
        var states = Converge(Two, [ActualState.Empty, ActualState.Empty]);

        var again = HostsPlanner.PlanApply(Two, Surveys(Two, states));
        Assert.True(again.Plan.IsEmpty, string.Join("; ", again.Plan.Actions));
        Assert.Equal(["vhpc-m-01", "vhpc-w-02"], states[0].Domains.Select(d => d.Name).Order(StringComparer.Ordinal));
        Assert.All(states[0].Domains, d => Assert.Equal("h1", d.Mark!.Host));
        Assert.Equal(["vhpc-w-01", "vhpc-w-03"], states[1].Domains.Select(d => d.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_scale_out_adds_only_the_new_nodes_and_moves_nothing()
    {
        var states = Converge(Two, [ActualState.Empty, ActualState.Empty]);
        var five = ClusterLayout.From(NodePlacementTests.Hosts(workers: 5));

        var plan = HostsPlanner.PlanApply(five, Surveys(five, states)).Plan;

        Assert.Equal(["vhpc-w-04", "vhpc-w-05"], plan.Actions.Select(a => a.Node).OfType<string>().Distinct().Order(StringComparer.Ordinal));
        Assert.DoesNotContain(plan.Actions, a => a.Kind is ActionKind.Delete or ActionKind.Replace);
        Assert.Equal(["h1", "h2"], plan.Actions.Where(a => a.Target == ObjectKind.Domain && a.Kind == ActionKind.Create).Select(a => a.Host));
    }

    [Fact]
    public void A_host_that_cannot_be_read_gets_no_plan_its_nodes_are_not_made_elsewhere_and_nothing_on_the_other_host_is_removed()
    {
        var states = Converge(Two, [ActualState.Empty, ActualState.Empty]);
        var surveys = new[] { new HostSurvey(Two.Hosts[0], states[0], null), new HostSurvey(Two.Hosts[1], null, "Failed to connect socket", Unreachable: true) };

        var planned = HostsPlanner.PlanApply(Two, surveys);

        Assert.True(planned.Plan.IsEmpty, string.Join("; ", planned.Plan.Actions));
        Assert.Empty(planned.Plan.Conflicts);
        Assert.Equal(["vhpc-w-01", "vhpc-w-03"], planned.UnplacedNodes.Keys.Order(StringComparer.Ordinal));
        Assert.All(planned.UnplacedNodes.Values, r => Assert.StartsWith("not placed: host h2 could not be read", r, StringComparison.Ordinal));
        var unread = planned.Plan.Hosts[1];
        Assert.Null(unread.Usage);
        Assert.Equal("could not be read (Failed to connect socket); not read there: storage pool vhpc and its volumes (base image "
            + $"{Two.BaseVolumeName}, the nodes' disks and seeds), network vhpc-net and the cluster's domains; nothing is changed on h2, "
            + "and no node that may live there is made elsewhere", unread.Error);
        Assert.True(planned.Plan.HasUnreadHosts);
        Assert.Null(planned.Hosts[1].Plan);
    }

    [Fact]
    public void A_node_whose_domain_is_on_two_hosts_stops_the_plan()
    {
        var states = Converge(Two, [ActualState.Empty, ActualState.Empty]);
        var copy = states[0].Domains.Single(d => d.Name == "vhpc-m-01");
        var second = states[1] with { Domains = [.. states[1].Domains, copy] };

        var plan = HostsPlanner.PlanApply(Two, Surveys(Two, states[0], second)).Plan;

        Assert.Contains("node vhpc-m-01 has a domain on h1 (qemu+ssh://root@h1.example/system) and h2 (qemu+ssh://root@h2.example/system), placed on h1: "
            + "two host entries name the same libvirt host, or the domain was copied; nothing is changed until one is gone", plan.Conflicts);
    }

    [Fact]
    public void A_host_with_no_node_placed_gives_back_what_the_cluster_has_there()
    {
        // Pack: everything fits on h1; h2 still holds the pool, base image and network of an earlier spread.
        var spread = Converge(Two, [ActualState.Empty, ActualState.Empty]);
        var leftovers = spread[1] with { Domains = [], Volumes = spread[1].Volumes.Where(v => v.Name.StartsWith("vhpc-base", StringComparison.Ordinal)).ToList() };
        var packed = ClusterLayout.From(NodePlacementTests.Hosts(policy: PlacementPolicy.Pack, vcpus: 16));
        var h1 = spread[0] with { Domains = [] };

        var planned = HostsPlanner.PlanApply(packed, Surveys(packed, h1, leftovers));

        Assert.True(planned.Hosts[1].Releases);
        Assert.All(planned.Plan.Actions.Where(a => a.Host == "h2"), a => Assert.Equal(ActionKind.Delete, a.Kind));
        Assert.Equal([ObjectKind.Volume, ObjectKind.Volume, ObjectKind.Network, ObjectKind.Pool], planned.Plan.Actions.Where(a => a.Host == "h2").Select(a => a.Target));
        Assert.EndsWith("no node placed here: the cluster's objects here are removed", planned.Plan.Hosts[1].Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cluster_that_does_not_fit_is_a_conflict_and_changes_nothing()
    {
        var big = ClusterLayout.From(NodePlacementTests.Hosts(workers: 4, vcpus: 4));

        var plan = HostsPlanner.PlanApply(big, Surveys(big, ActualState.Empty, ActualState.Empty)).Plan;

        Assert.Contains(plan.Conflicts, c => c.StartsWith("placement: the cluster does not fit: vhpc-w-04 (2 vCPUs, 2048 MiB) fits on no host", StringComparison.Ordinal));
    }

    [Fact]
    public void The_single_host_form_plans_exactly_as_the_one_host_planner()
    {
        var layout = ClusterLayout.From(SpecSamples.Spec(workers: 3));
        var half = PlanSimulator.Apply(layout, ActualState.Empty, ClusterPlanner.PlanApply(layout, ActualState.Empty)) with { Domains = [] };

        foreach (var state in new[] { ActualState.Empty, half })
        {
            var planned = HostsPlanner.PlanApply(layout, Surveys(layout, state));
            Assert.Equal(ClusterPlanner.PlanApply(layout, state).Actions, planned.Plan.Actions);
            Assert.All(planned.Plan.Actions, a => Assert.Null(a.Host));
        }
    }

    [Fact]
    public void Domains_of_a_cluster_with_hosts_carry_their_host_in_the_mark()
    {
        var states = Converge(Two, [ActualState.Empty, ActualState.Empty]);
        var mark = states[1].Domains[0].Mark!;

        Assert.Equal(mark, NodeMark.FromDomainXml($"<domain><metadata>{mark.ToElement()}</metadata></domain>"));
        Assert.Equal("h2", mark.Host);
        Assert.Null(NodeMark.FromDomainXml($"<domain><metadata>{(mark with { Host = null }).ToElement()}</metadata></domain>")!.Host);
    }

    /// <summary>Plans and simulates every host's plan until nothing is left to do; returns each host's state.</summary>
    internal static ActualState[] Converge(ClusterLayout layout, ActualState[] states)
    {
        for (var round = 0; round < 3; round++)
        {
            var planned = HostsPlanner.PlanApply(layout, Surveys(layout, states));
            Assert.Empty(planned.Plan.Conflicts);
            if (planned.Plan.IsEmpty)
            {
                return states;
            }

            states = planned.Hosts.Select((h, i) => PlanSimulator.Apply(h.Layout, states[i], h.Plan!)).ToArray();
        }

        Assert.Fail("the hosts did not converge in 3 rounds");
        return states;
    }

    private static HostSurvey[] Surveys(ClusterLayout layout, params ActualState[] states) =>
        layout.Hosts.Select((h, i) => new HostSurvey(h, states[i], null)).ToArray();
}
