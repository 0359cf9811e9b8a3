using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vhpc.Engine.Plans;
using Vhpc.Engine.Tests.Spec;
using Vhpc.Provisioning.Planning;
using Vhpc.Spec;
using Vhpc.Spec.Addressing;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Planning;

[Tier(TestTier.Unit)]
public class ClusterPlannerTests
{
    private static readonly ClusterLayout Three = ClusterLayout.From(SpecSamples.Spec(workers: 3));

    [Fact]
    public void From_nothing_the_plan_creates_everything_in_dependency_order()
    {
        var plan = ClusterPlanner.PlanApply(Three, ActualState.Empty);

        Assert.Empty(plan.Conflicts);
        var prepare = plan.Actions.TakeWhile(a => a.Stage == PlanStage.Prepare).Select(a => (a.Kind, a.Target)).ToList();
        Assert.Equal([(ActionKind.Create, ObjectKind.Pool), (ActionKind.Create, ObjectKind.Volume), (ActionKind.Create, ObjectKind.Network)], prepare);
        foreach (var node in Three.Nodes)
        {
            var mine = plan.Actions.Where(a => a.Node == node.Name).Select(a => (a.Kind, a.Target, a.Name)).ToList();
            Assert.Equal([(ActionKind.Create, ObjectKind.Volume, node.OverlayVolume), (ActionKind.Create, ObjectKind.Volume, node.SeedVolume),
                (ActionKind.Create, ObjectKind.Volume, node.ConsoleLog.Volume),
                (ActionKind.Create, ObjectKind.Domain, node.Name), (ActionKind.Start, ObjectKind.Domain, node.Name)], mine);
        }

        Assert.Equal(3 + (4 * 5), plan.Actions.Count);
        Assert.All(plan.Actions, a => Assert.False(string.IsNullOrWhiteSpace(a.Reason)));
    }

    [Fact]
    public void Serial_logs_and_their_rotated_copies_belong_to_their_node_and_a_missing_log_is_recreated_alone()
    {
        Assert.Equal("vhpc-w-02", ClusterPlanner.NodeOfVolume("vhpc", "vhpc-w-02-serial.log"));
        Assert.Equal("vhpc-w-02", ClusterPlanner.NodeOfVolume("vhpc", "vhpc-w-02-serial.log.3"));
        Assert.Null(ClusterPlanner.NodeOfVolume("vhpc", "vhpc-w-02-serial.log.x"));
        Assert.Null(ClusterPlanner.NodeOfVolume("vhpc", "other-w-02-serial.log"));

        var state = Converged(Three);
        var log = Three.Nodes[1].ConsoleLog.Volume;
        var plan = ClusterPlanner.PlanApply(Three, state with { Volumes = [.. state.Volumes.Where(v => v.Name != log)] });
        Assert.Equal([(ActionKind.Create, ObjectKind.Volume, log)], plan.Actions.Select(a => (a.Kind, a.Target, a.Name)));

        var two = ClusterLayout.From(SpecSamples.Spec(workers: 1));
        var rotated = state with { Volumes = [.. state.Volumes, new ActualVolume("vhpc-w-02-serial.log.1", "/p/vhpc-w-02-serial.log.1")] };
        Assert.Contains(ClusterPlanner.PlanApply(two, rotated).Actions, a => a is { Kind: ActionKind.Delete, Name: "vhpc-w-02-serial.log.1" });
        Assert.Contains(ClusterPlanner.PlanDestroy(Three, rotated).Actions, a => a is { Kind: ActionKind.Delete, Name: "vhpc-w-02-serial.log.1" });
    }

    [Fact]
    public void Applying_the_plan_converges_and_the_next_plan_is_empty()
    {
        var state = PlanSimulator.Apply(Three, ActualState.Empty, ClusterPlanner.PlanApply(Three, ActualState.Empty));

        Assert.True(ClusterPlanner.PlanApply(Three, state).IsEmpty);
    }

    [Fact]
    public void Scaling_in_deletes_the_highest_numbered_nodes_their_volumes_and_host_entries()
    {
        var five = ClusterLayout.From(SpecSamples.Spec(workers: 5));
        var state = Converged(five);

        var plan = ClusterPlanner.PlanApply(ClusterLayout.From(SpecSamples.Spec(workers: 2)), state);

        Assert.Equal(["vhpc-w-03", "vhpc-w-04", "vhpc-w-05"],
            plan.Actions.Where(a => a is { Kind: ActionKind.Delete, Target: ObjectKind.Domain }).Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.Equal(9, plan.Actions.Count(a => a is { Kind: ActionKind.Delete, Target: ObjectKind.Volume }));
        Assert.Equal(3, plan.Actions.Count(a => a is { Kind: ActionKind.Delete, Target: ObjectKind.DhcpHost }));
        Assert.All(plan.Actions, a => Assert.Equal(ActionKind.Delete, a.Kind));
        Assert.All(plan.Actions.Where(a => a.Node is not null), a => Assert.Matches("vhpc-w-0[345]", a.Node!));
    }

    [Fact]
    public void A_domain_without_the_mark_is_a_conflict_and_never_touched_even_on_destroy()
    {
        var state = Converged(Three);
        var foreign = new ActualDomain("vhpc-w-02", true, null, []);
        state = state with { Domains = state.Domains.Where(d => d.Name != "vhpc-w-02").Append(foreign).ToList() };

        var apply = ClusterPlanner.PlanApply(Three, state);
        var destroy = ClusterPlanner.PlanDestroy(Three, state);

        Assert.Contains(apply.Conflicts, c => c.Contains("'vhpc-w-02' exists without vhpc's metadata mark", StringComparison.Ordinal));
        Assert.DoesNotContain(apply.Actions, a => a.Name == "vhpc-w-02");
        Assert.DoesNotContain(destroy.Actions, a => a.Name == "vhpc-w-02");
        Assert.NotEmpty(destroy.Conflicts);
    }

    [Fact]
    public void Another_clusters_mark_is_a_conflict()
    {
        var state = Converged(Three);
        var other = state.Domains[0] with { Mark = state.Domains[0].Mark! with { Cluster = "other" } };
        state = state with { Domains = state.Domains.Skip(1).Append(other).ToList() };

        Assert.Contains(ClusterPlanner.PlanApply(Three, state).Conflicts, c => c.Contains("cluster 'other'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_pool_or_network_with_a_foreign_uuid_is_a_conflict_and_nothing_is_planned_inside_it()
    {
        var state = Converged(Three);
        state = state with
        {
            Pool = state.Pool! with { Uuid = Guid.NewGuid() },
            Network = state.Network! with { Definition = state.Network.Definition with { Uuid = Guid.NewGuid() } },
        };

        var apply = ClusterPlanner.PlanApply(Three, state);
        var destroy = ClusterPlanner.PlanDestroy(Three, state);

        Assert.Equal(2, apply.Conflicts.Count(c => c.Contains("is not cluster 'vhpc''s", StringComparison.Ordinal)));
        Assert.DoesNotContain(apply.Actions, a => a.Target is ObjectKind.Pool or ObjectKind.Network or ObjectKind.Volume or ObjectKind.DhcpHost);
        Assert.DoesNotContain(destroy.Actions, a => a.Target is ObjectKind.Pool or ObjectKind.Network or ObjectKind.Volume);
    }

    [Fact]
    public void A_new_network_may_not_take_the_addresses_or_the_bridge_of_another_active_network()
    {
        static Ipv4Subnet Cidr(string text) => Ipv4Subnet.TryParse(text, out var subnet, out _) ? subnet : throw new ArgumentException(text);
        var state = ActualState.Empty with
        {
            OtherNetworks =
            [
                new HostNetwork("lab", "virbr9", [Cidr("192.168.0.0/16")]),
                new HostNetwork("storage", Three.BridgeName, [Cidr("10.1.0.0/24")]),
                new HostNetwork("ok", "virbr7", [Cidr("192.169.0.0/24"), Cidr("10.2.0.0/24")]),
            ],
        };

        var plan = ClusterPlanner.PlanApply(Three, state);

        Assert.Equal(
            [
                "network.cidr: 192.168.123.0/24 overlaps 192.168.0.0/16 of network 'lab', active on this libvirt host; choose another network.cidr",
                $"network.bridge: {Three.BridgeName} is the bridge of network 'storage', active on this libvirt host; choose another network.bridge",
            ],
            plan.Conflicts);
        Assert.True(plan.HasConflicts);

        // Once the cluster's own network exists, others are not its concern (nor a reason to refuse an apply).
        Assert.Empty(ClusterPlanner.PlanApply(Three, Converged(Three) with { OtherNetworks = state.OtherNetworks }).Conflicts);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.2.0/24", true)]
    [InlineData("10.1.2.0/24", "10.0.0.0/8", true)]
    [InlineData("10.1.2.0/24", "10.1.2.0/24", true)]
    [InlineData("10.1.2.0/25", "10.1.2.128/25", false)]
    [InlineData("10.1.2.0/24", "10.1.3.0/24", false)]
    [InlineData("0.0.0.0/0", "203.0.113.0/24", true)]
    [InlineData("10.1.2.3/32", "10.1.2.0/30", true)]
    public void Subnets_overlap_when_one_contains_the_other(string a, string b, bool overlap)
    {
        Assert.True(Ipv4Subnet.TryParse(a, out var first, out _));
        Assert.True(Ipv4Subnet.TryParse(b, out var second, out _));
        Assert.Equal(overlap, first.Overlaps(second));
    }

    [Fact]
    public void A_moved_pool_path_is_a_conflict_not_a_silent_replacement()
    {
        var state = Converged(Three);
        var moved = ClusterLayout.From(SpecSamples.Spec() with { Pool = new PoolSpec("vhpc", "/srv/vhpc") });

        Assert.Contains(ClusterPlanner.PlanApply(moved, state).Conflicts, c => c.Contains("destroy the cluster before moving its pool", StringComparison.Ordinal));
    }

    [Fact]
    public void A_new_image_replaces_overlays_and_domains_then_removes_the_old_base()
    {
        var state = Converged(Three);
        var newImage = ClusterLayout.From(SpecSamples.Spec() with { Image = SpecSamples.Spec().Image with { Sha256 = new string('f', 64) } });

        var plan = ClusterPlanner.PlanApply(newImage, state);

        Assert.Equal((ActionKind.Create, newImage.BaseVolumeName), (plan.Actions[0].Kind, plan.Actions[0].Name));
        Assert.Equal(4, plan.Actions.Count(a => a is { Kind: ActionKind.Replace, Target: ObjectKind.Volume }));
        Assert.Equal(4, plan.Actions.Count(a => a is { Kind: ActionKind.Replace, Target: ObjectKind.Domain }));
        var cleanup = plan.Actions.Where(a => a.Stage == PlanStage.Cleanup).Select(a => a.Name).ToList();
        Assert.Equal([Three.BaseVolumeName, Three.BaseVolumeMarkerName], cleanup.Order(StringComparer.Ordinal));
        Assert.True(ClusterPlanner.PlanApply(newImage, PlanSimulator.Apply(newImage, state, plan)).IsEmpty);
    }

    [Fact]
    public void Volumes_without_their_domain_are_recreated_because_they_may_be_half_made()
    {
        var state = Converged(Three);
        state = state with { Domains = state.Domains.Where(d => d.Name != "vhpc-w-01").ToList() };

        var plan = ClusterPlanner.PlanApply(Three, state);

        Assert.Equal([(ActionKind.Replace, "vhpc-w-01.qcow2"), (ActionKind.Replace, "vhpc-w-01-seed.iso"), (ActionKind.Create, "vhpc-w-01"), (ActionKind.Start, "vhpc-w-01")],
            plan.Actions.Select(a => (a.Kind, a.Name)));
    }

    [Fact]
    public void Destroy_removes_the_marker_before_the_base_volume_and_the_pool_last()
    {
        var plan = ClusterPlanner.PlanDestroy(Three, Converged(Three));

        var names = plan.Actions.Select(a => a.Name).ToList();
        Assert.True(names.IndexOf(Three.BaseVolumeMarkerName) < names.IndexOf(Three.BaseVolumeName));
        Assert.Equal(ObjectKind.Pool, plan.Actions[^1].Target);
        Assert.Equal(ObjectKind.Network, plan.Actions[^2].Target);
        Assert.Empty(PlanSimulator.Apply(Three, Converged(Three), plan) is var after && after.Pool is null && after.Network is null ? after.Domains : [null!]);
    }

    [Fact]
    public void Node_and_base_volume_names_are_recognised_only_for_the_cluster()
    {
        Assert.Equal("vhpc-w-07", ClusterPlanner.NodeOfVolume("vhpc", "vhpc-w-07.qcow2"));
        Assert.Equal("vhpc-m-01", ClusterPlanner.NodeOfVolume("vhpc", "vhpc-m-01-seed.iso"));
        Assert.Null(ClusterPlanner.NodeOfVolume("vhpc", "vhpc2-w-07.qcow2"));
        Assert.Null(ClusterPlanner.NodeOfVolume("vhpc", "vhpc-w-7.qcow2"));
        Assert.Null(ClusterPlanner.NodeOfVolume("vhpc", "vhpc-x-01.qcow2"));
        Assert.True(ClusterPlanner.IsBaseVolumeName("vhpc", "vhpc-base-0123456789abcdef.qcow2"));
        Assert.True(ClusterPlanner.IsBaseVolumeName("vhpc", "vhpc-base-0123456789abcdef.raw.complete"));
        Assert.False(ClusterPlanner.IsBaseVolumeName("vhpc", "vhpc-base-0123456789abcdeg.qcow2"));
        Assert.False(ClusterPlanner.IsBaseVolumeName("vhpc", "vhpc-base-x.qcow2"));
    }

    /// <summary>
    /// Convergence from damage: any mix of missing, stopped and stale objects and foreign extras, from
    /// any worker count to any other, converges in one apply and never touches a foreign object.
    /// </summary>
    [Property(MaxTest = 500)]
    public Property Any_damaged_state_converges_in_one_apply_and_foreign_objects_are_untouched(int fromSeed, int toSeed, int damageSeed)
    {
        var from = ClusterLayout.From(SpecSamples.Spec(workers: 1 + Math.Abs(fromSeed % 64)));
        var to = ClusterLayout.From(SpecSamples.Spec(workers: 1 + Math.Abs(toSeed % 64)));
        var random = new Random(damageSeed);
        var state = Damage(Converged(from), from, random);
        var foreignNames = state.Domains.Where(d => d.Mark is null).Select(d => d.Name)
            .Concat(state.Volumes.Where(v => v.Name.StartsWith("foreign", StringComparison.Ordinal)).Select(v => v.Name)).ToHashSet();

        var plan = ClusterPlanner.PlanApply(to, state);
        var after = PlanSimulator.Apply(to, state, plan);
        var next = ClusterPlanner.PlanApply(to, after);

        return (plan.Conflicts.Count == 0).Label("no conflicts")
            .And(next.IsEmpty).Label("converged: " + string.Join(" | ", next.Actions))
            .And(plan.Actions.All(a => !foreignNames.Contains(a.Name))).Label("foreign untouched")
            .And(foreignNames.All(n => after.Domains.Any(d => d.Name == n) || after.Volumes.Any(v => v.Name == n))).Label("foreign kept")
            .And(after.Domains.Where(d => d.Mark is not null).Select(d => d.Name).Order(StringComparer.Ordinal)
                .SequenceEqual(to.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal))).Label("exactly the spec's nodes")
            .And(after.Domains.Where(d => d.Mark is not null).All(d => d.Active)).Label("all running");
    }

    [Property(MaxTest = 200)]
    public Property Destroy_after_any_damage_leaves_only_foreign_objects(int countSeed, int damageSeed)
    {
        var layout = ClusterLayout.From(SpecSamples.Spec(workers: 1 + Math.Abs(countSeed % 64)));
        var state = Damage(Converged(layout), layout, new Random(damageSeed));

        var after = PlanSimulator.Apply(layout, state, ClusterPlanner.PlanDestroy(layout, state));

        return (after.Pool is null && after.Network is null && after.Volumes.Count == 0).Label("pool, network, volumes gone")
            .And(after.Domains.All(d => d.Mark is null)).Label("only unmarked domains left");
    }

    private static ActualState Converged(ClusterLayout layout) =>
        PlanSimulator.Apply(layout, ActualState.Empty, ClusterPlanner.PlanApply(layout, ActualState.Empty)) is var s
            ? s with { Domains = s.Domains.Select(d => d with { Active = true }).ToList() }
            : throw new InvalidOperationException();

    /// <summary>Random damage a crash, an operator or another tool could cause.</summary>
    private static ActualState Damage(ActualState state, ClusterLayout layout, Random random)
    {
        var volumes = state.Volumes.Where(_ => random.Next(5) != 0).ToList();
        var domains = state.Domains.Where(_ => random.Next(6) != 0).Select(d => random.Next(3) == 0 ? d with { Active = false } : d)
            .Select(d => random.Next(8) == 0 ? d with { Mark = d.Mark! with { SpecHash = "stale" } } : d).ToList();
        var network = state.Network;
        if (random.Next(4) == 0)
        {
            network = network! with { Definition = network.Definition with { Hosts = network.Definition.Hosts.Where(_ => random.Next(2) == 0).ToList() } };
        }

        if (random.Next(6) == 0)
        {
            network = network! with { Active = false };
        }

        if (random.Next(6) == 0)
        {
            network = network! with { Definition = network.Definition with { Bridge = "virbr9" } };
        }

        var pool = random.Next(6) == 0 ? state.Pool! with { Active = false } : state.Pool;
        if (random.Next(3) == 0)
        {
            volumes.Add(new ActualVolume($"foreign-{random.Next(100)}.img", "/x"));
        }

        if (random.Next(3) == 0)
        {
            // An unrelated domain whose name is not in the cluster's naming scheme.
            domains.Add(new ActualDomain($"foreign{random.Next(100)}", true, null, []));
        }

        return random.Next(10) == 0 ? new ActualState(null, [], network, domains) : new ActualState(pool, volumes, network, domains);
    }
}
