using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Vhpc.Engine;
using Vhpc.Engine.Progress;
using Vhpc.Guests.Ssh;
using Vhpc.Guests.State;
using Vhpc.Spec;
using Vhpc.Spec.Addressing;
using Vhpc.Spec.Layout;

namespace Vhpc.EndToEnd.Tests;

/// <summary>
/// Issue 12 on the shared 1 + 3 cluster, after the other proofs: a second apply with nothing changed
/// logs into no node and configures nothing (proved by the apply's result, its events and the
/// unchanged records, not by time); then 3 -> 4 workers configures only the new worker and the
/// management node and `srun -N4` runs on all four; then 4 -> 2 drains the leaving workers first,
/// configures only the management node, and `srun -N2` runs on the two left.
/// </summary>
public sealed partial class ClusterEndToEndTests
{
    private async Task CheckSecondApplyConfiguresNothingAsync(IClusterEngine engine, ClusterSpec spec, ClusterLayout layout)
    {
        var plan = await engine.PlanAsync(spec, CancellationToken.None);
        Assert.True(plan.IsEmpty, "plan after apply: " + string.Join("; ", plan.Actions.Select(a => $"{a.Kind} {a.Target} {a.Name}: {a.Reason}")));
        var state = new ClusterStateDirectory(_stateRoot, spec.Name);
        var before = layout.Nodes.ToDictionary(n => n.Name, n => NodeConfigurationRecord.Read(state, n.Name));

        var (result, events, seconds) = await ApplyAsync(engine, spec);

        Assert.True(result.Succeeded, $"second apply failed: {result.Error}");
        Assert.All(result.Nodes, n => Assert.Equal(NodeConfigurationRun.UpToDate, n.Configuration));
        Assert.DoesNotContain(events, e => e.Step is ProvisioningStep.Lease or ProvisioningStep.Ssh or ProvisioningStep.Drain);
        Assert.DoesNotContain(events, e => e.Step == ProvisioningStep.Configure && e.State != StepState.Skipped);
        foreach (var node in layout.Nodes)
        {
            Assert.Equal(before[node.Name], NodeConfigurationRecord.Read(state, node.Name)); // not rewritten: no run
        }

        output.WriteLine($"MEASURE second apply, nothing changed (no login, no Ansible): {seconds:0.0} s");
    }

    private async Task CheckScaleOutAndInAsync(ServiceProvider services, IClusterEngine engine)
    {
        // 3 -> 4: the new worker and the management node (slurm.conf lists the new node) are configured, the others left alone.
        var four = LoadSpec(workers: 4);
        var fourLayout = ClusterLayout.From(four);
        var (grown, grownEvents, grownSeconds) = await ApplyAsync(engine, four);
        Assert.True(grown.Succeeded, $"scale-out failed: {grown.Error}\n" + string.Join("\n", grown.Nodes.Select(n => $"{n.Name}: {n.Error}")));
        Assert.Equal([NodeConfigurationRun.Ran, NodeConfigurationRun.UpToDate, NodeConfigurationRun.UpToDate, NodeConfigurationRun.UpToDate, NodeConfigurationRun.Ran],
            fourLayout.Nodes.Select(n => grown.Nodes.Single(r => r.Name == n.Name).Configuration));
        Assert.DoesNotContain(grownEvents, e => e.Step == ProvisioningStep.Ssh && e.Node is { } n && n != fourLayout.Management.Name && n != fourLayout.Nodes[4].Name);
        output.WriteLine($"MEASURE scale-out 3 -> 4 workers to Slurm-ready: {grownSeconds:0.0} s");
        await CheckSrunOnEveryWorkerAsync(services, four, fourLayout);

        // 4 -> 2: the leaving workers are drained in Slurm while their domains still run, then removed; only the management node is configured.
        var two = LoadSpec(workers: 2);
        var twoLayout = ClusterLayout.From(two);
        var (shrunk, shrunkEvents, shrunkSeconds) = await ApplyAsync(engine, two);
        Assert.True(shrunk.Succeeded, $"scale-in failed: {shrunk.Error}\n" + string.Join("\n", shrunk.Nodes.Select(n => $"{n.Name}: {n.Error}")));
        var drained = Assert.Single(shrunkEvents, e => e.Step == ProvisioningStep.Drain && e.State != StepState.Started);
        Assert.True(drained.State == StepState.Succeeded, $"drain: {drained.Message}");
        var drainedAt = shrunkEvents.ToList().IndexOf(drained);
        var firstRemoval = shrunkEvents.ToList().FindIndex(e => e.Step == ProvisioningStep.Destroy);
        Assert.True(firstRemoval < 0 || drainedAt < firstRemoval, "a leaving worker was removed before the drain ended");
        Assert.Equal([NodeConfigurationRun.Ran, NodeConfigurationRun.UpToDate, NodeConfigurationRun.UpToDate],
            twoLayout.Nodes.Select(n => shrunk.Nodes.Single(r => r.Name == n.Name).Configuration));
        output.WriteLine($"MEASURE scale-in 4 -> 2 workers (drain, remove, management node configured): {shrunkSeconds:0.0} s");
        await CheckSrunOnEveryWorkerAsync(services, two, twoLayout);
    }

    /// <summary>sinfo lists exactly the spec's workers, idle, and `srun -N{workers}` runs once on each.</summary>
    private async Task CheckSrunOnEveryWorkerAsync(ServiceProvider services, ClusterSpec spec, ClusterLayout layout)
    {
        var runner = services.GetRequiredService<ISshCommandRunner>();
        var workers = layout.Nodes.Where(n => n.Role == NodeRole.Worker).Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
        async Task<string> OnManagementAsync(string command)
        {
            var result = await runner.RunAsync(Target(spec, layout.Management), command, CancellationToken.None);
            output.WriteLine($"{layout.Management.Name}$ {command}\n{result.StandardOutput}{result.StandardError}");
            Assert.True(result.Succeeded, $"`{command}` failed: {result.StandardError}");
            return result.StandardOutput;
        }

        var sinfo = await OnManagementAsync("sinfo -h -N -o '%N %t'");
        var states = sinfo.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        Assert.Equal(workers, states.Keys.Order(StringComparer.Ordinal).ToList());
        var srun = await OnManagementAsync($"srun -N{workers.Count} hostname");
        Assert.Equal(workers, srun.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList());
    }

    private static async Task<(ApplyResult Result, IReadOnlyList<ProgressEvent> Events, double Seconds)> ApplyAsync(IClusterEngine engine, ClusterSpec spec)
    {
        var events = new ConcurrentQueue<ProgressEvent>();
        var started = DateTimeOffset.UtcNow;
        var result = await engine.ApplyAsync(spec, new SynchronousProgress(events.Enqueue), CancellationToken.None);
        return (result, events.ToList(), (DateTimeOffset.UtcNow - started).TotalSeconds);
    }
}
