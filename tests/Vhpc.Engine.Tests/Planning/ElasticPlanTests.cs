using Vhpc.Engine.Plans;
using Vhpc.Engine.Tests.Spec;
using Vhpc.Provisioning.Planning;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Planning;

/// <summary>
/// On-demand workers in the plan: declared (volumes, domain, DHCP host) but never started by an
/// apply, left as Slurm has them (running or off), and started only by a resume that names them.
/// The management domain of an elastic cluster carries the power channel.
/// </summary>
[Tier(TestTier.Unit)]
public class ElasticPlanTests
{
    private static readonly ClusterLayout Elastic = Layout(count: 1, max: 3);

    private static ClusterLayout Layout(int count, int max)
    {
        var spec = SpecSamples.Spec(workers: count);
        return ClusterLayout.From(spec with { Workers = spec.Workers with { Elastic = new ElasticSpec(max, TimeSpan.FromMinutes(5)) } });
    }

    [Fact]
    public void Apply_declares_on_demand_workers_and_starts_only_the_always_on_nodes()
    {
        var plan = ClusterPlanner.PlanApply(Elastic, ActualState.Empty);

        Assert.Equal(["vhpc-m-01", "vhpc-w-01"], plan.Actions.Where(a => a is { Kind: ActionKind.Start, Target: ObjectKind.Domain }).Select(a => a.Name));
        Assert.Equal(4, plan.Actions.Count(a => a is { Kind: ActionKind.Create, Target: ObjectKind.Domain }));
        Assert.Contains(plan.Actions, a => a is { Kind: ActionKind.Create, Target: ObjectKind.Domain, Name: "vhpc-w-03" }
            && a.Reason.Contains("off until Slurm needs it", StringComparison.Ordinal));
        Assert.Contains("with 4 fixed hosts", plan.Actions.Single(a => a.Target == ObjectKind.Network).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_converged_elastic_cluster_plans_nothing_whether_slurm_has_its_workers_on_or_off()
    {
        var state = PlanSimulator.Apply(Elastic, ActualState.Empty, ClusterPlanner.PlanApply(Elastic, ActualState.Empty));
        Assert.True(ClusterPlanner.PlanApply(Elastic, state).IsEmpty);

        // Slurm powered vhpc-w-02 on: the next apply leaves it running.
        var resumed = PlanSimulator.Apply(Elastic, state, ClusterPlanner.PlanApply(Elastic, state, new HashSet<string> { "vhpc-w-02" }));
        Assert.True(resumed.Domains.Single(d => d.Name == "vhpc-w-02").Active);
        Assert.True(ClusterPlanner.PlanApply(Elastic, resumed).IsEmpty);
    }

    [Fact]
    public void A_resume_starts_the_named_worker_and_makes_it_first_when_it_is_missing()
    {
        var state = PlanSimulator.Apply(Elastic, ActualState.Empty, ClusterPlanner.PlanApply(Elastic, ActualState.Empty));
        var start = ClusterPlanner.PlanApply(Elastic, state, new HashSet<string> { "vhpc-w-03" });
        Assert.Equal([(ActionKind.Start, "vhpc-w-03")], start.Actions.Select(a => (a.Kind, a.Name)));

        var missing = state with { Domains = state.Domains.Where(d => d.Name != "vhpc-w-03").ToList() };
        var recreate = ClusterPlanner.PlanApply(Elastic, missing, new HashSet<string> { "vhpc-w-03" });
        Assert.Equal(ActionKind.Start, recreate.Actions.Last(a => a.Node == "vhpc-w-03").Kind);
        Assert.Contains(recreate.Actions, a => a is { Kind: ActionKind.Create, Target: ObjectKind.Domain, Name: "vhpc-w-03" });
    }

    [Fact]
    public void A_resume_plans_the_shared_objects_and_that_worker_only_even_when_other_nodes_drifted()
    {
        var state = PlanSimulator.Apply(Elastic, ActualState.Empty, ClusterPlanner.PlanApply(Elastic, ActualState.Empty));
        // The always-on worker's domain is gone and vhpc-w-02 is off: an apply would make and start
        // both; a resume of vhpc-w-03 must touch neither.
        var drifted = state with { Domains = state.Domains.Where(d => d.Name != "vhpc-w-01").ToList() };
        Assert.Contains(ClusterPlanner.PlanApply(Elastic, drifted).Actions, a => a.Node == "vhpc-w-01");

        var plan = ClusterPlanner.PlanPowerOn(Elastic, drifted, new HashSet<string> { "vhpc-w-03" });

        Assert.Equal([(ActionKind.Start, "vhpc-w-03")], plan.Actions.Select(a => (a.Kind, a.Name)));
        var empty = ClusterPlanner.PlanPowerOn(Elastic, ActualState.Empty, new HashSet<string> { "vhpc-w-03" });
        Assert.Equal(["vhpc-w-03"], empty.Actions.Where(a => a.Stage == PlanStage.Nodes).Select(a => a.Node).Distinct());
        Assert.Contains(empty.Actions, a => a.Stage == PlanStage.Prepare && a.Target == ObjectKind.Network);
    }

    [Fact]
    public void Shrinking_the_range_removes_the_highest_on_demand_workers()
    {
        var state = PlanSimulator.Apply(Elastic, ActualState.Empty, ClusterPlanner.PlanApply(Elastic, ActualState.Empty));

        var plan = ClusterPlanner.PlanApply(Layout(count: 1, max: 2), state);

        Assert.Equal(["vhpc-w-03"], plan.Actions.Where(a => a is { Kind: ActionKind.Delete, Target: ObjectKind.Domain }).Select(a => a.Name));
        Assert.Contains("workers.elastic.max=2", plan.Actions.First(a => a.Target == ObjectKind.Domain).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_management_domain_has_the_power_channel_given_and_no_worker_does()
    {
        var platform = new HostPlatform(DomainType.Qemu, "x86_64", "q35", "test");
        var path = "/run/vhpc/channels/vhpc.sock";

        var management = DomainXml.Build(Elastic, Elastic.Management, platform, "/p/o.qcow2", "/p/s.iso", "/p/serial.log", path);
        Assert.Equal(path, DomainXml.ParsePowerChannelPath(management));
        Assert.Contains("<source mode=\"bind\" path=\"/run/vhpc/channels/vhpc.sock\" />", management, StringComparison.Ordinal);
        Assert.Contains("<target type=\"virtio\" name=\"org.vhpc.power.0\" />", management, StringComparison.Ordinal);

        Assert.Null(DomainXml.ParsePowerChannelPath(DomainXml.Build(Elastic, Elastic.OnDemandWorkers.First(), platform, "/p/o.qcow2", "/p/s.iso", "/p/serial.log", path)));
        // Elastic or not: turning elasticity on or off must not change the management domain.
        var plain = ClusterLayout.From(SpecSamples.Spec(workers: 1));
        Assert.Equal(path, DomainXml.ParsePowerChannelPath(DomainXml.Build(plain, plain.Management, platform, "/p/o.qcow2", "/p/s.iso", "/p/serial.log", path)));
        // No path (remote libvirt host, no channel directory): no channel.
        Assert.Null(DomainXml.ParsePowerChannelPath(DomainXml.Build(Elastic, Elastic.Management, platform, "/p/o.qcow2", "/p/s.iso", "/p/serial.log")));
    }
}
