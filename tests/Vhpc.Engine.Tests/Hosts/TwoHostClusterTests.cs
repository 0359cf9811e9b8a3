using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vhpc.Engine.Plans;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Tests.Faults.Support;
using Vhpc.Guests.Addresses;
using Vhpc.Spec.Layout;
using Vhpc.Testing;
using Xunit.Abstractions;

namespace Vhpc.Engine.Tests.Hosts;

/// <summary>
/// Issue 16's proof on one machine: a 1 + 3 cluster of tiny TCG guests spread over two libvirt hosts
/// (<see cref="TwoHosts"/>: two private libvirtds, bridges joined by a veth pair), in bridge mode, so
/// that no libvirt DHCP exists and every node's address comes from its seed. Placement, fixed
/// addresses, status with hosts, destroy on both, one host stopped in the middle of an apply, and the
/// engine killed in the middle of apply and destroy (tests/Vhpc.CrashHarness).
/// </summary>
[Tier(TestTier.Guests)]
public sealed class TwoHostClusterTests(ITestOutputHelper output)
{
    private static readonly string[] Hosts = ["h1", "h2"];

    [Fact]
    public async Task A_cluster_spread_over_two_hosts_gets_its_fixed_addresses_from_the_seeds_and_destroy_leaves_nothing_on_either()
    {
        using var hosts = TwoHosts.Start();
        using var directory = new TempDirectory("vtf-mh-");
        var (_, spec) = await hosts.WriteSpecAsync(directory.Path, "vtf-mh", workers: 3, budget: 2);
        var layout = ClusterLayout.From(spec);
        var logs = new CapturingLoggerProvider(output, LogLevel.Information);
        await using var services = TwoHosts.Engine(directory.Combine("state"), logs, reconnectAttempts: 10);
        var engine = services.GetRequiredService<IClusterEngine>();

        // Spread: management on h1, then the workers alternate; each host's budget (2 vCPUs) is full.
        var plan = await engine.PlanAsync(spec, CancellationToken.None);
        var placed = Placement(layout);
        Assert.Equal(placed, plan.Placement.ToDictionary(p => p.Node, p => p.Host));
        Assert.All(plan.Hosts, h => Assert.Null(h.Error));

        var progress = new HookedProgress();
        var result = await engine.ApplyAsync(spec, progress, CancellationToken.None);
        output.WriteLine(progress.Describe());
        Assert.True(result.Succeeded, $"{result.Error}; " + string.Join("; ", result.Nodes.Where(n => !n.Succeeded).Select(n => $"{n.Name}: {n.Error}")));
        output.WriteLine($"apply {result.Duration.TotalSeconds:F1} s");

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

        // The address is the seed's (the tiny guest applies network-config; there is no DHCP on the segment),
        // and it answered from the node's own MAC (this namespace is on the span and resolved it).
        var arp = new ProcNetArpTable();
        foreach (var node in layout.ClusterNodes)
        {
            var lease = progress.Events.Last(e => e.Event.Node == node.Name && e.Event.Step == ProvisioningStep.Lease && e.Event.State == StepState.Succeeded).Event;
            Assert.Contains("from the node's MAC", lease.Message, StringComparison.Ordinal);
            Assert.Equal(node.Mac, arp.MacOf(node.Address));
            // The console log is a volume on the node's own host, read through that host's connection.
            var console = await engine.ReadConsoleAsync(spec, node.Name, 500, CancellationToken.None);
            Assert.NotNull(console?.Lines);
            Assert.Contains(console.Lines, l => l.Contains($"vhpc-tiny: ready {node.Address}/24 (seed)", StringComparison.Ordinal));
        }

        Assert.Equal(4, logs.Entries.Count(e => e.EventId == 3110));

        // Status names each node's host.
        var status = await engine.GetStatusAsync(spec, CancellationToken.None);
        Assert.True(status.NetworkActive);
        Assert.Equal(layout.ClusterNodes.Select(n => (n.Name, "running", (string?)n.Address.ToString(), placed[n.Name])),
            status.Nodes.Select(n => (n.Name, n.State, n.Address, n.Host)));

        var again = await engine.PlanAsync(spec, CancellationToken.None);
        Assert.True(again.IsEmpty, "plan after apply: " + string.Join("; ", again.Actions));

        var destroyed = await engine.DestroyAsync(spec, new HookedProgress(), CancellationToken.None);
        output.WriteLine($"destroy removed {destroyed.ObjectsRemoved} objects");
        Assert.Empty(TwoHosts.Census(hosts.First, layout));
        Assert.Empty(TwoHosts.Census(hosts.Second, layout));
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
