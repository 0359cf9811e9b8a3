using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Cli.Output;
using Vhpc.Daemon.Clusters;
using Vhpc.Daemon.Configuration;
using Vhpc.Daemon.Control;
using Vhpc.Daemon.Power;
using Vhpc.Engine;
using Vhpc.Engine.Power;
using Vhpc.Guests.Ssh;
using Vhpc.Libvirt;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.EndToEnd.Tests;

/// <summary>
/// Issue 15 on the shared cluster, after the scale-in to 1 + 2: the spec turns it into 1 always-on
/// worker and an elastic range up to 3 with the shortest idle time (1 minute). The apply gives the
/// management domain its power channel and declares the third worker without starting it; vhpcd's
/// own channel service and drift repair (the daemon's classes, over a registry holding this spec) then
/// serve Slurm's power programs through the real virtio-serial channel. Slurm powers the two on-demand
/// workers down (`idle~`, domains shut off, disks kept); `sbatch -N3` powers both up, the job runs on
/// all three and completes; after the idle time both are off again; a second job powers them up again.
/// Job submit -> start of both power-ups is printed (MEASURE), not asserted.
/// </summary>
public sealed partial class ClusterEndToEndTests
{
    private static readonly TimeSpan PowerDownWait = TimeSpan.FromMinutes(10);

    /// <summary>Slurm's ResumeTimeout for TCG is 1200 s; the job gets a little more to start and finish.</summary>
    private static readonly TimeSpan PowerUpJobWait = TimeSpan.FromMinutes(25);

    private async Task CheckElasticWorkersAsync(ServiceProvider services, IClusterEngine engine)
    {
        const string Elastic = "{ max: 3, idleTimeout: 1m }";
        var spec = LoadSpec(workers: 1, elastic: Elastic);
        var layout = ClusterLayout.From(spec);
        var onDemand = layout.OnDemandWorkers.Select(n => n.Name).ToList();
        var workers = layout.Workers.Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([$"{Cluster}-w-02", $"{Cluster}-w-03"], onDemand);

        // The apply replaces the management domain (it gets the channel), a hard power-off of
        // slurmctld: a job that ended seconds before (the scale-in's srun) may not be in its saved
        // state yet and would come back as running, holding its workers. Wait until slurmctld has
        // nothing in its queue and the workers are idle, and give its state save a moment.
        await WaitUntilSlurmIsQuietAsync(services.GetRequiredService<ISshCommandRunner>(), spec, layout);
        var (applied, events, seconds) = await ApplyAsync(engine, spec);
        Assert.True(applied.Succeeded, $"elastic apply failed: {applied.Error}\n" + string.Join("\n", applied.Nodes.Select(n => $"{n.Name}: {n.Error}")));
        Assert.DoesNotContain(events, e => e.Node == onDemand[1] && e.Step is Vhpc.Engine.Progress.ProvisioningStep.Lease or Vhpc.Engine.Progress.ProvisioningStep.Ssh);
        output.WriteLine($"MEASURE apply 1 + 2 -> 1 always-on + elastic max 3 (management domain given its channel, restarted, configured): {seconds:0.0} s");
        var socket = services.GetRequiredService<IOptions<PowerChannelOptions>>().Value.SocketPath(spec.Name)!;
        Assert.True(File.Exists(socket), $"libvirt did not bind the power channel at {socket}");
        using (var connection = Connection.Open(TestEnvironment.SharedLibvirtUri))
        using (var third = connection.LookupDomain(onDemand[1]))
        {
            Assert.True(third is not null, $"{onDemand[1]} was not declared");
            Assert.False(third.IsActive, $"apply started the on-demand worker {onDemand[1]}");
        }

        // vhpcd's power side, as the daemon wires it: the registry reads the spec file.
        var clusters = Directory.CreateTempSubdirectory("vhpc-e2e-clusters-").FullName;
        File.WriteAllText(Path.Combine(clusters, spec.Name + ".yaml"), SpecYaml(workers: 1, elastic: Elastic));
        var logging = services.GetRequiredService<ILoggerFactory>();
        var registry = new ClusterRegistry(new ClusterSpecLoaderReader(), Options.Create(new VhpcdOptions { ClustersDirectory = clusters }),
            logging.CreateLogger<ClusterRegistry>(), TimeProvider.System);
        Assert.Equal(1, registry.Reload().Loaded);
        var power = services.GetRequiredService<IClusterPowerEngine>();
        var controllers = new PowerControllers(registry, power, logging.CreateLogger<ClusterPowerController>());
        var channel = new PowerChannelService(registry, controllers, services.GetRequiredService<IOptions<PowerChannelOptions>>(), TimeProvider.System,
            logging.CreateLogger<PowerChannelService>());
        var reconcile = new PowerReconcileService(registry, engine, power, controllers, TimeProvider.System, logging.CreateLogger<PowerReconcileService>());
        await channel.StartAsync(CancellationToken.None);
        await reconcile.StartAsync(CancellationToken.None);
        try
        {
            var runner = services.GetRequiredService<ISshCommandRunner>();
            // w-02 ran as an always-on worker: Slurm powers it down after the idle time; w-03 never ran.
            await WaitUntilPoweredDownAsync(runner, engine, spec, layout, onDemand, "after the apply");

            var first = await RunJobOnAllWorkersAsync(runner, spec, layout, workers, "first");
            output.WriteLine($"MEASURE elastic first power-up (w-02 from its kept disk, w-03 booted and configured alone for the first time), job submit -> start: {first:0.0} s");
            await WaitUntilPoweredDownAsync(runner, engine, spec, layout, onDemand, "after the first job");

            var second = await RunJobOnAllWorkersAsync(runner, spec, layout, workers, "second");
            output.WriteLine($"MEASURE elastic second power-up (both from their kept disks, no configuration run), job submit -> start: {second:0.0} s");
        }
        finally
        {
            await reconcile.StopAsync(CancellationToken.None);
            await channel.StopAsync(CancellationToken.None);
            Directory.Delete(clusters, recursive: true);
        }
    }

    private async Task WaitUntilSlurmIsQuietAsync(ISshCommandRunner runner, ClusterSpec spec, ClusterLayout layout)
    {
        var quiet = await OnElasticManagementAsync(runner, spec, layout, """
            for i in $(seq 60); do
              if [ -z "$(squeue -h -a)" ] && [ -z "$(sinfo -h -N -o '%t' | grep -v '^idle')" ]; then
                sleep 10
                echo quiet
                exit 0
              fi
              sleep 2
            done
            squeue -a; sinfo -N
            """);
        Assert.True(quiet.Trim() == "quiet", "slurmctld still has jobs or busy workers 120 s after the scale-in:\n" + quiet);
    }

    /// <summary>
    /// Both on-demand workers `idle~` in sinfo and their domains shut off with their disks still in the
    /// pool; then what `vhpc status` shows for them (libvirt's power state beside Slurm's).
    /// </summary>
    private async Task WaitUntilPoweredDownAsync(ISshCommandRunner runner, IClusterEngine engine, ClusterSpec spec, ClusterLayout layout,
        IReadOnlyList<string> onDemand, string when)
    {
        var started = DateTimeOffset.UtcNow;
        Dictionary<string, string> states = [];
        var off = false;
        while (DateTimeOffset.UtcNow - started < PowerDownWait)
        {
            var polled = await SlurmStatesAsync(runner, spec, layout, quiet: true);
            if (!polled.OrderBy(p => p.Key).SequenceEqual(states.OrderBy(p => p.Key)))
            {
                output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} sinfo: " + string.Join(", ", polled.Select(p => $"{p.Key} {p.Value}")));
            }

            states = polled;
            off = onDemand.All(n => states.GetValueOrDefault(n) == "idle~") && onDemand.All(n => !DomainIsActive(n));
            if (off)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(5));
        }

        Assert.True(off, $"{when}: on-demand workers not powered down within {PowerDownWait.TotalMinutes:0} min: sinfo "
            + string.Join(", ", states.Select(s => $"{s.Key} {s.Value}")) + "; domains active: "
            + string.Join(", ", onDemand.Select(n => $"{n} {DomainIsActive(n)}")));
        output.WriteLine($"MEASURE on-demand workers powered down {when}: {(DateTimeOffset.UtcNow - started).TotalSeconds:0} s after the wait began");
        using (var connection = Connection.Open(TestEnvironment.SharedLibvirtUri))
        using (var pool = connection.LookupStoragePool(layout.PoolName))
        {
            var volumes = pool!.ListVolumes().Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
            Assert.All(layout.OnDemandWorkers, n => Assert.Contains(n.OverlayVolume, volumes));
        }

        var status = await engine.GetStatusAsync(spec, CancellationToken.None);
        output.WriteLine($"vhpc status {spec.Name} ({when}):\n{StatusTable.Render(status.ToInfo(), DateTimeOffset.UtcNow)}");
        foreach (var node in status.Nodes.Where(n => onDemand.Contains(n.Name)))
        {
            Assert.Equal("shut off", node.State);
            Assert.Equal("idle~", node.Slurm);
        }
    }

    /// <summary>`sbatch -N{all}`: submit -> RUNNING as the test sees it (polled every 2 s), then the job completes on every worker, each with /home mounted.</summary>
    private async Task<double> RunJobOnAllWorkersAsync(ISshCommandRunner runner, ClusterSpec spec, ClusterLayout layout, IReadOnlyList<string> workers, string label)
    {
        var outputFile = $"vhpc-elastic-{label}.out";
        var submitted = DateTimeOffset.UtcNow;
        var id = (await OnElasticManagementAsync(runner, spec, layout,
            $"cd ~ && sbatch --parsable -N{workers.Count} -o {outputFile} --wrap \"srun -N{workers.Count} sh -c 'echo \\$(hostname) \\$(findmnt -n -o FSTYPE /home || echo unmounted)'\"")).Trim().Split(';')[0];
        double? startedAfter = null;
        var state = "";
        while (DateTimeOffset.UtcNow - submitted < PowerUpJobWait)
        {
            var polled = (await OnElasticManagementAsync(runner, spec, layout, $"squeue -h -j {id} -o %T 2>/dev/null || true", quiet: true)).Trim();
            if (polled != state)
            {
                output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} {label} job {id}: {(polled.Length == 0 ? "finished" : polled)}");
            }

            state = polled;
            if (startedAfter is null && state is "RUNNING" or "COMPLETING" or "")
            {
                startedAfter = (DateTimeOffset.UtcNow - submitted).TotalSeconds;
            }

            if (state.Length == 0)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        var sinfo = await SlurmStatesAsync(runner, spec, layout);
        Assert.True(state.Length == 0, $"{label} job {id} still {state} after {PowerUpJobWait.TotalMinutes:0} min; sinfo: "
            + string.Join(", ", sinfo.Select(s => $"{s.Key} {s.Value}")));
        var accounted = await OnElasticManagementAsync(runner, spec, layout, $"scontrol show job {id} 2>/dev/null | grep -o 'JobState=[A-Z]*\\|SubmitTime=[^ ]*\\|StartTime=[^ ]*' || true; sacct -j {id} -X -n -P -o State,Submit,Start,End,NodeList");
        Assert.Contains("COMPLETED", accounted, StringComparison.Ordinal);
        var hosts = (await OnElasticManagementAsync(runner, spec, layout, $"cat ~/{outputFile}"))
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
        // A resumed worker is a rebooted one: it must have the shared /home again (run 1 found it
        // unmounted: cloud-init had rewritten /etc/hosts without vhpc-controller).
        Assert.Equal(workers.Select(w => $"{w} nfs4"), hosts);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label} job {id}: submit -> RUNNING {startedAfter:0.0} s (seen by the test), finished {(DateTimeOffset.UtcNow - submitted).TotalSeconds:0.0} s"));
        return startedAfter!.Value;
    }

    private async Task<Dictionary<string, string>> SlurmStatesAsync(ISshCommandRunner runner, ClusterSpec spec, ClusterLayout layout, bool quiet = false)
    {
        var sinfo = await OnElasticManagementAsync(runner, spec, layout, "sinfo -h -N -o '%N %t'", quiet);
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parts in sinfo.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')))
        {
            if (parts.Length == 2)
            {
                states[parts[0]] = parts[1];
            }
        }

        return states;
    }

    private async Task<string> OnElasticManagementAsync(ISshCommandRunner runner, ClusterSpec spec, ClusterLayout layout, string command, bool quiet = false)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var result = await runner.RunAsync(Target(spec, layout.Management), command, timeout.Token);
        if (!quiet || !result.Succeeded)
        {
            output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} {layout.Management.Name}$ {command}\n{result.StandardOutput}{result.StandardError}");
        }

        Assert.True(result.Succeeded, $"`{command}` failed ({result.ExitStatus}): {result.StandardError}");
        return result.StandardOutput;
    }

    private static bool DomainIsActive(string node)
    {
        using var connection = Connection.Open(TestEnvironment.SharedLibvirtUri);
        using var domain = connection.LookupDomain(node);
        return domain?.IsActive == true;
    }
}
