using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Daemon.Clusters;
using Vhpc.Daemon.Configuration;
using Vhpc.Daemon.Power;
using Vhpc.Engine;
using Vhpc.Engine.Power;
using Vhpc.Engine.Progress;
using Vhpc.Guests.Ssh;
using Vhpc.Libvirt;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.EndToEnd.Tests;

/// <summary>
/// Issue 15 on the shared cluster, after the scale-in (management node + 2 workers): the spec becomes
/// 1 always-on worker and an elastic range { max: 3, idleTimeout: 1m }, with vhpcd's power channel
/// service listening as the daemon runs it. The apply replaces no domain (every management domain
/// carries the channel) and starts nothing: w-02 becomes on demand, w-03 is declared and stays off.
/// Slurm suspends the idle w-02 through the channel; `sbatch -N3` powers w-02 (kept disk) and w-03
/// (fresh disk, configured alone) up and completes on all three; after the idle time both are powered
/// down again; a second `sbatch -N3` powers both up from their kept disks and completes. Job submit ->
/// start is read from Slurm's accounting for both power-ups.
/// </summary>
public sealed partial class ClusterEndToEndTests
{
    private static readonly TimeSpan QueueDrainTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Slurm suspends after SuspendTime (60 s idle), vhpcd shuts down (at most 120 s), Slurm waits SuspendTimeout (180 s).</summary>
    private static readonly TimeSpan PowerDownTimeout = TimeSpan.FromMinutes(15);

    /// <summary>ResumeTimeout is 1200 s (a TCG boot plus a configuration run of the node alone); a requeue after a failed resume needs more.</summary>
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(30);

    private async Task CheckElasticAsync(ServiceProvider services, IClusterEngine engine)
    {
        var runner = services.GetRequiredService<ISshCommandRunner>();
        var elastic = LoadSpec(workers: 1, elastic: "{ max: 3, idleTimeout: 1m }");
        var layout = ClusterLayout.From(elastic);
        var management = layout.Management;
        string[] onDemand = [$"{Cluster}-w-02", $"{Cluster}-w-03"];
        string[] all = [$"{Cluster}-w-01", .. onDemand];

        async Task<string> OnManagementAsync(string command, bool quiet = false)
        {
            var result = await runner.RunAsync(Target(elastic, management), command, CancellationToken.None);
            if (!quiet || !result.Succeeded)
            {
                output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} {management.Name}$ {command}\n{result.StandardOutput}{result.StandardError}");
            }

            Assert.True(result.Succeeded, $"`{command}` failed: {result.StandardError}");
            return result.StandardOutput;
        }

        async Task<Dictionary<string, string>> SinfoAsync() =>
            (await OnManagementAsync("sinfo -h -N -o '%N %t'", quiet: true))
                .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

        bool Running(string node)
        {
            using var connection = Connection.Open(TestEnvironment.SharedLibvirtUri);
            using var domain = connection.LookupDomain(node);
            Assert.True(domain is not null, $"domain {node} is not defined");
            return domain.IsActive;
        }

        async Task DiagnoseAsync(string what)
        {
            output.WriteLine($"--- {what}: diagnostics");
            await OnManagementAsync("sinfo -N -l; squeue -l; sudo scontrol show nodes " + string.Join(',', onDemand)
                + "; sudo tail -n 60 /var/log/slurm/slurmctld.log; sudo tail -n 30 /var/log/slurm/power.log 2>/dev/null || true");
            foreach (var entry in _logs.Entries.Where(e => e.EventId is >= 4600 and < 4700 || e.Category.Contains("Power", StringComparison.Ordinal)))
            {
                output.WriteLine($"power log [{entry.EventId}] {entry.Message}");
            }
        }

        async Task WaitAsync(string what, TimeSpan timeout, Func<Task<bool>> done)
        {
            var started = DateTimeOffset.UtcNow;
            while (!await done())
            {
                if (DateTimeOffset.UtcNow - started > timeout)
                {
                    await DiagnoseAsync(what);
                    Assert.Fail($"{what}: not within {timeout.TotalMinutes:0} min");
                }

                await Task.Delay(TimeSpan.FromSeconds(5));
            }

            output.WriteLine($"MEASURE {what}: {(DateTimeOffset.UtcNow - started).TotalSeconds:0.0} s");
        }

        async Task<bool> PoweredDownAsync()
        {
            var sinfo = await SinfoAsync();
            return onDemand.All(n => sinfo.GetValueOrDefault(n) == "idle~" && !Running(n));
        }

        // A job that ended seconds ago must not be in slurmctld's state when the management node is reconfigured.
        await WaitAsync("queue empty before the apply to elastic", QueueDrainTimeout,
            async () => (await OnManagementAsync("squeue -h | wc -l", quiet: true)).Trim() == "0");

        // vhpcd's channel service, as the daemon runs it, over a clusters.d holding the elastic spec.
        var clusters = Directory.CreateDirectory(Path.Combine(_stateRoot, "clusters.d")).FullName;
        await File.WriteAllTextAsync(Path.Combine(clusters, Cluster + ".yaml"), SpecYaml(workers: 1, elastic: "{ max: 3, idleTimeout: 1m }"));
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var registry = new ClusterRegistry(new ClusterSpecLoaderReader(), Options.Create(new VhpcdOptions { ClustersDirectory = clusters }),
            loggers.CreateLogger<ClusterRegistry>(), TimeProvider.System);
        registry.Reload();
        var registered = registry.FindByName(Cluster)?.Spec;
        Assert.True(registered is not null, "clusters.d: " + string.Join("; ", registry.Entries.SelectMany(e => e.Errors)));
        Assert.Equal(elastic.Workers, registered.Workers);
        var channel = new PowerChannelService(registry,
            new PowerControllers(registry, services.GetRequiredService<IClusterPowerEngine>(), loggers.CreateLogger<ClusterPowerController>()),
            services.GetRequiredService<IOptions<PowerChannelOptions>>(), TimeProvider.System, loggers.CreateLogger<PowerChannelService>());
        await channel.StartAsync(CancellationToken.None);
        try
        {
            var (applied, events, seconds) = await ApplyAsync(engine, elastic);
            Assert.True(applied.Succeeded, $"apply to elastic failed: {applied.Error}\n" + string.Join("\n", applied.Nodes.Select(n => $"{n.Name}: {n.Error}")));
            output.WriteLine($"MEASURE apply 2 workers -> 1 always-on + elastic max 3 (management node configured): {seconds:0.0} s");
            // No domain replaced or stopped (the management domain already had the channel), none started.
            Assert.DoesNotContain(events, e => e.Step is ProvisioningStep.Destroy);
            Assert.DoesNotContain(events, e => e is { Step: ProvisioningStep.Define, State: StepState.Succeeded } && e.Node != onDemand[1]);
            Assert.DoesNotContain(events, e => e is { Step: ProvisioningStep.Boot, State: StepState.Succeeded });
            Assert.Contains(events, e => e is { Step: ProvisioningStep.Define, State: StepState.Succeeded } && e.Node == onDemand[1]);
            Assert.All(onDemand, n => Assert.Contains(events, e => e is { Step: ProvisioningStep.Configure, State: StepState.Skipped } && e.Node == n
                && e.Message!.StartsWith("on-demand worker", StringComparison.Ordinal)));
            Assert.False(Running(onDemand[1]), "the apply started the on-demand w-03");
            Assert.True(Running(management.Name) && Running(all[0]));

            // w-02, idle and now on demand, is suspended by Slurm through the channel; w-03 was never up.
            await WaitAsync("w-02 suspended by Slurm through the channel (SuspendTime 60 s), both idle~", PowerDownTimeout, PoweredDownAsync);
            Assert.Contains(_logs.Entries, e => e.EventId == 4603 && e.Message.Contains($"suspend {onDemand[0]}", StringComparison.Ordinal));

            for (var round = 1; round <= 2; round++)
            {
                var name = $"vhpc-e2e-elastic-{round}";
                var submitted = await OnManagementAsync($"cd ~ && sbatch --parsable -N3 -J {name} -o {name}.out --wrap 'srun hostname'");
                var job = submitted.Trim().Split(';')[0];
                string[] accounting = [];
                await WaitAsync($"power-up {round}: job {job} (sbatch -N3) completed", JobTimeout, async () =>
                {
                    accounting = (await OnManagementAsync($"sacct -j {job} -X -n -P -o State,Submit,Start,End,NodeList", quiet: true))
                        .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Split('|') ?? [];
                    if (accounting is [var state, ..] && (state is "FAILED" or "TIMEOUT" or "OUT_OF_MEMORY" || state.StartsWith("CANCELLED", StringComparison.Ordinal)))
                    {
                        await DiagnoseAsync($"job {job}");
                        Assert.Fail($"job {job} ended {string.Join('|', accounting)}");
                    }

                    return accounting is ["COMPLETED", ..];
                });
                var ran = (await OnManagementAsync($"cat ~/{name}.out"))
                    .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal);
                Assert.Equal(all, ran);
                var submit = DateTime.Parse(accounting[1], CultureInfo.InvariantCulture);
                var start = DateTime.Parse(accounting[2], CultureInfo.InvariantCulture);
                output.WriteLine($"MEASURE power-up {round} ({(round == 1 ? "w-02 kept disk, w-03 fresh disk configured alone" : "both from kept disks")}): "
                    + $"job submit -> start {(start - submit).TotalSeconds:0} s (Slurm Submit {accounting[1]}, Start {accounting[2]}, End {accounting[3]}, nodes {accounting[4]})");
                output.WriteLine($"MEASURE load average after power-up {round}: {File.ReadAllText("/proc/loadavg").Trim()}");

                // Idle again: Slurm suspends both through the channel, vhpcd shuts them down, their disks stay.
                await WaitAsync($"power-down {round}: w-02 and w-03 idle~ and shut off", PowerDownTimeout, PoweredDownAsync);
            }

            output.WriteLine("power channel requests accepted:\n" + string.Join('\n', _logs.Entries.Where(e => e.EventId == 4603).Select(e => e.Message)));
        }
        finally
        {
            await channel.StopAsync(CancellationToken.None);
            channel.Dispose();
        }
    }
}
