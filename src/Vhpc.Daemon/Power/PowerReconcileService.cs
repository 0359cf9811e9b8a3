using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vhpc.Daemon.Clusters;
using Vhpc.Engine;
using Vhpc.Engine.Power;
using Vhpc.Engine.Telemetry;
using Vhpc.Spec;
using Vhpc.Spec.Layout;

namespace Vhpc.Daemon.Power;

/// <summary>
/// Drift repair for elastic clusters, every <see cref="Interval"/>: libvirt's view of each on-demand
/// worker (running or not) against Slurm's (sinfo on the management node). A running domain Slurm has
/// powered down (<c>idle~</c>) is powered off; a domain that is off while Slurm counts the node up is
/// reported to Slurm (<c>power_down_force</c>); a node Slurm has powering up (<c>#</c>) whose domain is
/// off and that no operation is working on (vhpcd restarted during its resume) is resumed again.
/// Nodes with an operation in flight are left alone. Also keeps the nodes-by-power-state metric.
/// </summary>
internal sealed class PowerReconcileService(
    ClusterRegistry registry,
    IClusterEngine engine,
    IClusterPowerEngine power,
    PowerControllers controllers,
    TimeProvider time,
    ILogger<PowerReconcileService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(60);

    /// <summary>Last counted power states: (cluster, state, kind) -> workers.</summary>
    private static readonly ConcurrentDictionary<(string Cluster, string State, string Kind), int> PowerStates = new();

    /// <summary>Workers of elastic clusters by libvirt power state (running, off) and kind (on_demand, always_on), at the last reconcile.</summary>
    private static readonly ObservableGauge<int> NodesByPowerState = VhpcTelemetry.Meter.CreateObservableGauge("vhpc.nodes.power",
        () => PowerStates.Select(p => new Measurement<int>(p.Value,
            new KeyValuePair<string, object?>("cluster", p.Key.Cluster), new KeyValuePair<string, object?>("state", p.Key.State),
            new KeyValuePair<string, object?>("kind", p.Key.Kind))),
        unit: "{node}", description: "Workers of elastic clusters by power state (running, off) and kind (on_demand, always_on).");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = NodesByPowerState;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            foreach (var spec in registry.Entries.Select(e => e.Spec).OfType<ClusterSpec>().Where(s => s.Workers.Elastic is not null))
            {
                try
                {
                    await ReconcileAsync(spec, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.ReconcileFailed(logger, spec.Name, e.Message);
                }
            }
        }
    }

    internal async Task ReconcileAsync(ClusterSpec spec, CancellationToken cancellationToken)
    {
        var layout = ClusterLayout.From(spec);
        var status = await engine.GetStatusAsync(spec, cancellationToken).ConfigureAwait(false);
        var running = status.Nodes.Where(n => n.State == "running").Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var key in PowerStates.Keys.Where(k => k.Cluster == spec.Name))
        {
            PowerStates.TryRemove(key, out _);
        }

        foreach (var group in layout.Workers.GroupBy(w => (State: running.Contains(w.Name) ? "running" : "off", Kind: w.OnDemand ? "on_demand" : "always_on")))
        {
            PowerStates[(spec.Name, group.Key.State, group.Key.Kind)] = group.Count();
        }

        if (!running.Contains(layout.Management.Name))
        {
            return;
        }

        var slurm = await power.ReadSlurmStatesAsync(spec, cancellationToken).ConfigureAwait(false);
        if (slurm is null)
        {
            return;
        }

        var controller = controllers.For(spec.Name);
        foreach (var node in layout.OnDemandWorkers)
        {
            if (controller.IsBusy(node.Name) || !slurm.TryGetValue(node.Name, out var state))
            {
                continue;
            }

            var on = running.Contains(node.Name);
            switch (PowerDrift.Of(state, on))
            {
                case PowerDrift.Repair.PowerOff:
                    Log.Drift(logger, spec.Name, node.Name, $"domain runs but Slurm has it powered off ({state})", "powering it off");
                    controller.Submit(new PowerRequest(PowerVerb.Suspend, [node.Name]), cancellationToken);
                    break;
                case PowerDrift.Repair.Resume:
                    Log.Drift(logger, spec.Name, node.Name, $"Slurm is powering it up ({state}) but its domain is off and nothing works on it", "resuming it");
                    controller.Submit(new PowerRequest(PowerVerb.Resume, [node.Name]), cancellationToken);
                    break;
                case PowerDrift.Repair.TellSlurm:
                    Log.Drift(logger, spec.Name, node.Name, $"Slurm counts it up ({state}) but its domain is off", "telling Slurm (power_down_force)");
                    if (await power.UpdateSlurmNodeAsync(spec, node.Name, SlurmNodeUpdate.PowerDownForce, "domain found off", cancellationToken)
                            .ConfigureAwait(false) is { } error)
                    {
                        Log.SlurmNotTold(logger, spec.Name, node.Name, error);
                    }

                    break;
            }
        }
    }
}

/// <summary>The repair for one on-demand worker from Slurm's compact state (sinfo %t) and whether its domain runs; pure.</summary>
internal static class PowerDrift
{
    public enum Repair
    {
        None,
        PowerOff,
        Resume,
        TellSlurm,
    }

    public static Repair Of(string slurmState, bool domainRunning)
    {
        ArgumentNullException.ThrowIfNull(slurmState);
        // sinfo's suffixes: ~ powered off, # powering up, % powering down, ! pending power down.
        var poweredOff = slurmState.EndsWith('~');
        var poweringUp = slurmState.EndsWith('#');
        var poweringDown = slurmState.EndsWith('%') || slurmState.EndsWith('!');
        return (domainRunning, poweredOff, poweringUp, poweringDown) switch
        {
            (true, true, _, _) => Repair.PowerOff,
            (false, _, true, _) => Repair.Resume,
            (false, false, false, false) => Repair.TellSlurm,
            _ => Repair.None,
        };
    }
}
