using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vhpc.Engine.Plans;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Tests.Faults.Support;
using Vhpc.Engine.Status;
using Vhpc.Guests.Addresses;
using Vhpc.Guests.Ssh;
using Vhpc.Guests.State;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;
using Xunit.Abstractions;

namespace Vhpc.Engine.Tests.Hosts;

/// <summary>
/// Issue 16's proof on one machine: a 1 + 3 cluster spread over two libvirt hosts (<see cref="TwoHosts"/>:
/// two private libvirtds, bridges joined by a veth pair), in bridge mode, so that no libvirt DHCP exists
/// and every node's address comes from its seed. The first test boots the real role image with full
/// readiness and the Ansible configuration: placement, fixed addresses applied by the image's cloud-init,
/// Slurm (srun -N3 on workers of both hosts) and NFS across the span, status with hosts, destroy on both.
/// The others use tiny TCG guests (cheap, lease-only): one host stopped in the middle of an apply, and the
/// engine killed in the middle of apply and destroy (tests/Vhpc.CrashHarness).
/// </summary>
[Tier(TestTier.Guests)]
public sealed class TwoHostClusterTests(ITestOutputHelper output)
{
    private static readonly string[] Hosts = ["h1", "h2"];

    [Fact]
    public async Task A_Slurm_cluster_spread_over_two_hosts_gets_its_fixed_addresses_from_the_seeds_runs_srun_on_workers_of_both_and_destroy_leaves_nothing_on_either()
    {
        var clock = Stopwatch.StartNew();
        output.WriteLine($"load at start: {Load()}");
        using var hosts = TwoHosts.Start();
        using var directory = new TempDirectory("vtf-mh-");
        var (_, spec) = await hosts.WriteImageSpecAsync(directory.Path, "vtf-mh", workers: 3);
        var layout = ClusterLayout.From(spec);
        var logs = new CapturingLoggerProvider(output, LogLevel.Information);
        var stateRoot = directory.Combine("state");
        await using var services = TwoHosts.SlurmEngine(stateRoot, logs);
        var engine = services.GetRequiredService<IClusterEngine>();

        // Spread: management on h1, then the workers alternate; each host's budget (2 vCPUs, 2048 MiB) is full.
        var plan = await engine.PlanAsync(spec, CancellationToken.None);
        var placed = Placement(layout);
        Assert.Equal(placed, plan.Placement.ToDictionary(p => p.Node, p => p.Host));
        Assert.All(plan.Hosts, h => Assert.Null(h.Error));

        var progress = new HookedProgress();
        var result = await engine.ApplyAsync(spec, progress, CancellationToken.None);
        output.WriteLine(progress.Describe());
        Assert.True(result.Succeeded, $"{result.Error}; " + string.Join("; ", result.Nodes.Where(n => !n.Succeeded).Select(n => $"{n.Name}: {n.Error}\n{n.ConsoleTail}")));
        output.WriteLine($"MEASURE apply to Slurm-ready over two hosts: {result.Duration.TotalSeconds:F1} s (load after apply: {Load()})");

        // Each host holds its own pool, base image and bridge-mode network, and exactly its nodes' domains and volumes.
        foreach (var (host, daemon) in new[] { ("h1", hosts.First), ("h2", hosts.Second) })
        {
            var census = TwoHosts.Census(daemon, layout);
            output.WriteLine($"{host}: {string.Join(", ", census)}");
            var mine = layout.ClusterNodes.Where(n => placed[n.Name] == host).ToList();
            var expected = new List<string> { $"pool {layout.PoolName}", $"network {layout.NetworkName}", $"volume {layout.BaseVolumeName}", $"volume {layout.BaseVolumeMarkerName}" };
            expected.AddRange(mine.SelectMany(n => new[] { $"domain {n.Name} running", $"volume {n.OverlayVolume}", $"volume {n.SeedVolume}", $"volume {n.ConsoleLog.Volume}" }));
            expected.Sort(StringComparer.Ordinal);
            Assert.Equal(expected, census);
        }

        // Every node: its fixed address answered from its own MAC (this namespace is on the span and resolved
        // it), then SSH with cloud-init done from our seed, then the Ansible configuration.
        var arp = new ProcNetArpTable();
        foreach (var node in layout.ClusterNodes)
        {
            var lease = progress.Events.Last(e => e.Event.Node == node.Name && e.Event.Step == ProvisioningStep.Lease && e.Event.State == StepState.Succeeded).Event;
            Assert.Contains("from the node's MAC", lease.Message, StringComparison.Ordinal);
            Assert.Equal(node.Mac, arp.MacOf(node.Address));
            var ssh = progress.Events.Last(e => e.Event.Node == node.Name && e.Event.Step == ProvisioningStep.Ssh && e.Event.State == StepState.Succeeded).Event;
            Assert.Contains("cloud-init: status: done", ssh.Message, StringComparison.Ordinal);
            Assert.Contains("DataSourceNoCloud", ssh.Message, StringComparison.Ordinal);
            Assert.Contains(progress.Events, e => e.Event.Node == node.Name && e.Event.Step == ProvisioningStep.Configure && e.Event.State == StepState.Succeeded);
            // The console log is a volume on the node's own host, read through that host's connection.
            var console = await engine.ReadConsoleAsync(spec, node.Name, 5000, CancellationToken.None);
            Assert.NotNull(console?.Lines);
            // The local stage (before networking.service) found the seed, so the seed's network-config was the
            // one ifupdown brought up; found only by the network stage it is DataSourceNoCloudNet, and eth0 had
            // already been given the DHCP fallback.
            Assert.Contains(console.Lines, l => l.Contains("Datasource DataSourceNoCloud [seed=/dev/sr0]", StringComparison.Ordinal));
            // cloud-init's network stage lists eth0 with the seed's address on the console (its "Net device info").
            var device = new Regex($@"ci-info: \|\s*eth0\s*\|\s*True\s*\|\s*{Regex.Escape(node.Address.ToString())}\s*\|\s*255\.255\.255\.0\s*\|\s*global\s*\|\s*{Regex.Escape(node.Mac)}\s*\|",
                RegexOptions.IgnoreCase);
            Assert.True(console.Lines.Any(device.IsMatch), $"{node.Name}'s console has no ci-info line of eth0 with {node.Address}:\n"
                + string.Join("\n", console.Lines.Where(l => l.Contains("ci-info", StringComparison.Ordinal) || l.Contains("cloud-init", StringComparison.Ordinal))));
        }

        Assert.Equal(4, logs.Entries.Count(e => e.EventId == 3110));

        // In each guest the address is the seed's, applied by the image's own cloud-init: the network-config
        // rendered for ifupdown as a static eth0 with that address, no DHCP client (there is no DHCP on the segment).
        var runner = services.GetRequiredService<ISshCommandRunner>();
        async Task<string> OnAsync(ClusterNode node, string command)
        {
            var run = await runner.RunAsync(Target(stateRoot, spec, node), command, CancellationToken.None);
            output.WriteLine($"{node.Name}$ {command}\n{run.StandardOutput}{run.StandardError}");
            Assert.True(run.Succeeded, $"{node.Name}: `{command}` failed: {run.StandardError}");
            return run.StandardOutput;
        }

        foreach (var node in layout.ClusterNodes)
        {
            Assert.Contains($"inet {node.Address}/24 ", await OnAsync(node, "ip -4 -o addr show dev eth0"), StringComparison.Ordinal);
            var rendered = await OnAsync(node, "for f in /etc/network/interfaces.d/*; do echo \"== $f\"; cat \"$f\"; done");
            Assert.Contains("iface eth0 inet static", rendered, StringComparison.Ordinal);
            Assert.Matches(new Regex($@"(?m)^\s*address {Regex.Escape(node.Address.ToString())}(/24)?\s*$"), rendered);
            Assert.DoesNotContain("inet dhcp", rendered, StringComparison.Ordinal);
            Assert.Equal("none", (await OnAsync(node, "pgrep -x dhclient || echo none")).Trim());
            await OnAsync(node, "sudo -n grep -h 'network config' /var/log/cloud-init.log | head -n 5 || true");
        }

        // Slurm across the hosts, as a user of the cluster sees it: three idle workers, and srun -N3 runs on each,
        // on workers of both hosts.
        var workers = layout.ClusterNodes.Where(n => n.Role == Vhpc.Spec.Addressing.NodeRole.Worker).Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
        var sinfo = await OnAsync(layout.Management, "sinfo -h -N -o '%N %t'");
        var states = sinfo.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        Assert.Equal(workers, states.Keys.Order(StringComparer.Ordinal).ToList());
        Assert.All(states.Values, state => Assert.Equal("idle", state));
        var srun = (await OnAsync(layout.Management, "srun -N3 hostname")).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(workers, srun);
        Assert.Equal(["h1", "h2"], srun.Select(w => placed[w]).Distinct().Order(StringComparer.Ordinal));

        // /home is the management node's (on h1), shared over NFS across the span: a file written on the
        // management node is read on every worker.
        await OnAsync(layout.Management, $"echo {spec.Name}-span > ~/span.txt");
        Assert.Equal(Enumerable.Repeat($"{spec.Name}-span", 3), (await OnAsync(layout.Management, "srun -N3 cat ~/span.txt"))
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

        // Status names each node's host, SSH ready and configured.
        var status = await engine.GetStatusAsync(spec, CancellationToken.None);
        Assert.True(status.NetworkActive);
        Assert.Equal(layout.ClusterNodes.Select(n => (n.Name, "running", (string?)n.Address.ToString(), placed[n.Name], SshState.Ready, ConfigurationState.Yes)),
            status.Nodes.Select(n => (n.Name, n.State, n.Address, n.Host, n.Ssh, n.Configuration.State)));

        var again = await engine.PlanAsync(spec, CancellationToken.None);
        Assert.True(again.IsEmpty, "plan after apply: " + string.Join("; ", again.Actions));

        var destroyed = await engine.DestroyAsync(spec, new HookedProgress(), CancellationToken.None);
        output.WriteLine($"destroy removed {destroyed.ObjectsRemoved} objects");
        Assert.Empty(TwoHosts.Census(hosts.First, layout));
        Assert.Empty(TwoHosts.Census(hosts.Second, layout));
        Assert.False(Directory.Exists(new ClusterStateDirectory(stateRoot, spec.Name).Path), "destroy left the cluster's state directory");
        output.WriteLine($"MEASURE whole test {clock.Elapsed.TotalSeconds:F1} s (load at the end: {Load()})");
    }

    [Fact]
    public async Task A_host_stopped_in_the_middle_of_an_apply_fails_only_its_nodes_and_the_next_apply_converges_on_both()
    {
        using var hosts = TwoHosts.Start();
        using var directory = new TempDirectory("vtf-mhs-");
        var (_, spec) = await hosts.WriteSpecAsync(directory.Path, "vtf-mhs", workers: 3, budget: 2);
        var layout = ClusterLayout.From(spec);
        var placed = Placement(layout);
        var logs = new CapturingLoggerProvider(output, LogLevel.Information);
        await using var services = TwoHosts.Engine(directory.Combine("state"), logs, reconnectAttempts: 3);
        var engine = services.GetRequiredService<IClusterEngine>();

        // h2's libvirtd dies as the first of its domains is defined, and stays down.
        var stopped = 0;
        var progress = new HookedProgress(e =>
        {
            if (e.Step == ProvisioningStep.Define && e.State == StepState.Started && e.Host == "h2" && Interlocked.Exchange(ref stopped, 1) == 0)
            {
                hosts.Second.StopLibvirtd(kill: true);
            }
        });
        var result = await engine.ApplyAsync(spec, progress, CancellationToken.None);
        output.WriteLine(progress.Describe());
        Assert.Equal(1, stopped);
        Assert.False(result.Succeeded);
        foreach (var node in result.Nodes)
        {
            output.WriteLine($"{node.Name}: {(node.Succeeded ? "ok" : node.Error)}");
            if (placed[node.Name] == "h1")
            {
                Assert.True(node.Succeeded, $"{node.Name} on h1 failed: {node.Error}");
            }
            else
            {
                Assert.False(node.Succeeded, $"{node.Name} on h2 succeeded although h2's libvirtd was dead");
                Assert.Contains("host h2", node.Error, StringComparison.Ordinal);
            }
        }

        Assert.Contains(logs.Entries, e => e.EventId == 2031);
        var h1 = TwoHosts.Census(hosts.First, layout);
        Assert.Contains($"domain {layout.Management.Name} running", h1);

        // While h2 is down: the plan says what it could not read there, plans nothing there and removes nothing on h1.
        var plan = await engine.PlanAsync(spec, CancellationToken.None);
        var unread = plan.Hosts.Single(h => h.Name == "h2");
        output.WriteLine($"h2 in the plan: {unread.Error}");
        Assert.NotNull(unread.Error);
        Assert.Contains($"storage pool {layout.PoolName}", unread.Error, StringComparison.Ordinal);
        Assert.Contains($"network {layout.NetworkName}", unread.Error, StringComparison.Ordinal);
        Assert.Null(plan.Hosts.Single(h => h.Name == "h1").Error);
        Assert.DoesNotContain(plan.Actions, a => a.Host == "h2" || a.Kind == ActionKind.Delete);
        var status = (await engine.GetStatusAsync(spec, CancellationToken.None)).Nodes.ToDictionary(n => n.Name);
        foreach (var node in layout.ClusterNodes)
        {
            Assert.Equal(placed[node.Name] == "h1" ? ("running", "h1") : ("unknown", null), (status[node.Name].State, status[node.Name].Host));
        }

        Assert.Equal(h1, TwoHosts.Census(hosts.First, layout));

        // h2 back: the next apply makes the rest there and converges on both.
        hosts.Second.StartLibvirtd();
        var again = await engine.ApplyAsync(spec, new HookedProgress(), CancellationToken.None);
        Assert.True(again.Succeeded, $"{again.Error}; " + string.Join("; ", again.Nodes.Where(n => !n.Succeeded).Select(n => $"{n.Name}: {n.Error}")));
        var converged = await engine.PlanAsync(spec, CancellationToken.None);
        Assert.True(converged.IsEmpty, "plan after the second apply: " + string.Join("; ", converged.Actions));
        Assert.Equal(layout.ClusterNodes.Select(n => placed[n.Name]), (await engine.GetStatusAsync(spec, CancellationToken.None)).Nodes.Select(n => n.Host));

        await engine.DestroyAsync(spec, new HookedProgress(), CancellationToken.None);
        Assert.Empty(TwoHosts.Census(hosts.First, layout));
        Assert.Empty(TwoHosts.Census(hosts.Second, layout));
    }

    [Fact]
    public async Task Killed_in_the_middle_of_apply_and_destroy_of_the_spread_cluster_the_next_run_converges_on_both_hosts()
    {
        using var hosts = TwoHosts.Start();
        using var directory = new TempDirectory("vtf-mhc-");
        var (path, spec) = await hosts.WriteSpecAsync(directory.Path, "vtf-mhc", workers: 3, budget: 2, keyFile: true);
        var layout = ClusterLayout.From(spec);
        var harness = FindHarness();

        // Killed (SIGKILL) from inside each run's own progress, as its 3rd, 7th, 11th, ... step starts: each run
        // resumes from what the last left on both hosts and is killed later in its own run, until one gets
        // through. (Killing every run at the same step made no progress: a first try killed all 30 runs as their
        // third step, pool or base image, started.)
        var kills = new List<string>();
        HarnessRun run;
        do
        {
            run = await RunAsync(harness, "apply", path, killAtStart: 3 + (4 * kills.Count));
            if (run.KilledIn is { } phase)
            {
                kills.Add(phase);
                output.WriteLine($"apply killed as {phase} started; h1: {string.Join(", ", TwoHosts.Census(hosts.First, layout))}; "
                    + $"h2: {string.Join(", ", TwoHosts.Census(hosts.Second, layout))}");
            }
        }
        while (run.KilledIn is not null && kills.Count < 15);

        output.WriteLine($"apply killed {kills.Count} times ({string.Join(", ", kills)}), then finished:\n{run.Output}");
        Assert.True(run.ExitCode == 0, $"the last apply failed:\n{run.Output}");
        Assert.True(kills.Count >= 3, $"only {kills.Count} kills landed before an apply finished");

        // Converged on both hosts: exactly the placed nodes' objects, nothing twice, an empty plan.
        var placed = Placement(layout);
        foreach (var (host, daemon) in new[] { ("h1", hosts.First), ("h2", hosts.Second) })
        {
            var expected = new List<string> { $"pool {layout.PoolName}", $"network {layout.NetworkName}", $"volume {layout.BaseVolumeName}", $"volume {layout.BaseVolumeMarkerName}" };
            expected.AddRange(layout.ClusterNodes.Where(n => placed[n.Name] == host)
                .SelectMany(n => new[] { $"domain {n.Name} running", $"volume {n.OverlayVolume}", $"volume {n.SeedVolume}", $"volume {n.ConsoleLog.Volume}" }));
            expected.Sort(StringComparer.Ordinal);
            Assert.Equal(expected, TwoHosts.Census(daemon, layout));
        }

        var logs = new CapturingLoggerProvider(output, LogLevel.Warning);
        await using (var services = TwoHosts.Engine(directory.Combine("state"), logs, reconnectAttempts: 10))
        {
            var plan = await services.GetRequiredService<IClusterEngine>().PlanAsync(spec, CancellationToken.None);
            Assert.True(plan.IsEmpty, "plan after the crashes: " + string.Join("; ", plan.Actions));
        }

        // Destroy killed as its fourth step starts; the next destroy leaves nothing on either host.
        var destroy = await RunAsync(harness, "destroy", path, killAtStart: 4);
        output.WriteLine($"destroy killed as {destroy.KilledIn ?? "(not killed: it finished)"} started");
        Assert.NotNull(destroy.KilledIn);
        var finished = await RunAsync(harness, "destroy", path, killAtStart: null);
        Assert.True(finished.ExitCode == 0, finished.Output);
        Assert.Empty(TwoHosts.Census(hosts.First, layout));
        Assert.Empty(TwoHosts.Census(hosts.Second, layout));
    }

    private static SshTarget Target(string stateRoot, ClusterSpec spec, ClusterNode node)
    {
        var state = new ClusterStateDirectory(stateRoot, spec.Name);
        return new SshTarget(node.Address.ToString(), 22, spec.User.Name, state.PrivateKeyPath, state.KnownHostsPath, node.Fqdn);
    }

    /// <summary>The load average as `uptime` shows it, for the measurements in the output.</summary>
    private static string Load() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>Spread over h1, h2 with 2 vCPUs each: management and the even workers on h1, the odd workers on h2.</summary>
    private static Dictionary<string, string?> Placement(ClusterLayout layout) =>
        layout.ClusterNodes.ToDictionary(n => n.Name, n => (string?)(n.Role == Vhpc.Spec.Addressing.NodeRole.Management ? Hosts[0] : Hosts[(n.Index - 1) % 2 == 0 ? 1 : 0]));

    private sealed record HarnessRun(int? ExitCode, string? KilledIn, string Output);

    /// <summary>Runs the harness; with <paramref name="killAtStart"/>, SIGKILLs it as that many steps have started (the step is the phase).</summary>
    private static async Task<HarnessRun> RunAsync(string harness, string operation, string specPath, int? killAtStart)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(harness);
        info.ArgumentList.Add(operation);
        info.ArgumentList.Add(specPath);
        var lines = new StringBuilder();
        var gate = new Lock();
        var started = 0;
        string? killedIn = null;
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (gate)
            {
                lines.AppendLine(e.Data);
                if (e.Data.Split(' ') is ["progress", var step, "Started", var node] && ++started == killAtStart && killedIn is null)
                {
                    killedIn = $"{step} {node}";
                    process.Kill(entireProcessTree: false); // SIGKILL on Linux: no finally blocks, no cleanup.
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (gate)
                {
                    lines.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"harness {operation} did not finish within 3 min:\n{lines}");
        }

        lock (gate)
        {
            return new HarnessRun(killedIn is null ? process.ExitCode : null, killedIn, lines.ToString());
        }
    }

    private static string FindHarness()
    {
        // Same configuration as this test assembly (bin/<Configuration>/net10.0/).
        var configuration = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)))!;
        var dll = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "Vhpc.CrashHarness", "bin", configuration, "net10.0", "Vhpc.CrashHarness.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: dotnet build tests/Vhpc.Engine.Tests (it builds the harness)");
        return dll;
    }
}
