using System.Collections.Concurrent;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Tests.Faults.Support;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Testing;
using Xunit.Abstractions;

namespace Vhpc.Engine.Tests.Faults;

/// <summary>
/// Issue 8, libvirtd restarted in the middle of an apply: a private qemu-driver libvirtd (the shared
/// one is never touched) is killed and started again while the engine, composed as vhpcd composes it,
/// uploads the base image, defines domains, or waits for leases of running tiny TCG guests. The engine
/// notices (keepalive / close callback / failed calls), reconnects with backoff, plans again from what
/// libvirt holds and completes; lease waits and lifecycle subscriptions move to the new connection.
/// </summary>
[Tier(TestTier.Guests)]
public sealed class LibvirtdRestartTests(ITestOutputHelper output)
{
    private const string Resuming = "resuming on a new libvirt connection";

    [Fact]
    public async Task Restarts_during_the_upload_and_during_define_are_resumed_and_the_apply_converges()
    {
        using var libvirtd = PrivateLibvirtd.Start();
        var marks = new ConcurrentDictionary<string, TimeSpan>();
        HookedProgress? progress = null;

        // A crash of libvirtd while the 64 MiB base image streams in: once 16 MiB have been read, on the
        // uploading thread, so the volume stream is open when the daemon dies however fast the machine is.
        var images = new FaultingImageSource(16 << 20, () =>
        {
            marks["upload kill"] = progress!.Now;
            libvirtd.StopLibvirtd(kill: true);
            Thread.Sleep(1000);
            libvirtd.StartLibvirtd();
            marks["upload restarted"] = progress.Now;
        });
        await using var cluster = await TinyCluster.CreateAsync("vtf-rst", libvirtd.QemuUri, workers: 2, subnet: 3, imageMiB: 64, TimeSpan.FromSeconds(120), output,
            images: images);
        Task? defineFault = null;
        progress = new HookedProgress(e =>
        {
            if (e.Step == ProvisioningStep.Define && e.State == StepState.Started && marks.ContainsKey("upload restarted") && defineFault is null)
            {
                // A restart (SIGTERM, as systemctl restart does) just as the first domain is defined.
                lock (marks)
                {
                    if (defineFault is not null)
                    {
                        return;
                    }

                    marks["define stop"] = progress!.Now;
                    libvirtd.StopLibvirtd();
                    defineFault = Task.Run(async () =>
                    {
                        await Task.Delay(1000);
                        libvirtd.StartLibvirtd();
                        marks["define restarted"] = progress.Now;
                    });
                }
            }
        });

        var result = await cluster.Engine.ApplyAsync(cluster.Spec, progress, CancellationToken.None);
        output.WriteLine(progress.Describe());
        Assert.True(images.Fired, "the upload-phase crash never happened (fewer than 16 MiB of the base image were read)");
        Assert.True(defineFault is not null, "the define-phase restart never happened (no Define step after the first restart)");
        await defineFault;
        output.WriteLine(string.Join(", ", marks.OrderBy(m => m.Value).Select(m => $"{m.Key} {m.Value.TotalSeconds:F2} s")));

        Assert.True(result.Succeeded, $"apply did not complete after two libvirtd restarts: {result.Error}; "
            + string.Join("; ", result.Nodes.Where(n => !n.Succeeded).Select(n => $"{n.Name}: {n.Error}")));
        Assert.All(result.Nodes, n => Assert.True(n.Succeeded, n.Error));

        // The upload was really hit, and each restart was followed by a resumed plan.
        var events = progress.Events.ToList();
        Assert.Contains(events, e => e.Event.Step == ProvisioningStep.BaseImage && e.Event.State == StepState.Failed && e.At >= marks["upload kill"]);
        var resumes = events.Where(e => e.Event.Step == ProvisioningStep.Plan && e.Event.State == StepState.Started
            && (e.Event.Message ?? string.Empty).Contains(Resuming, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, resumes.Count);
        Assert.Contains(events, e => e.Event.State == StepState.Failed && e.At >= marks["define stop"] && e.At < resumes[1].At);
        Assert.Contains(cluster.Logs.Entries, l => l.EventId == 2020);
        // From the restarted daemon answering to the new plan on a new connection (the reconnect backoff included).
        var planned = resumes.Select(r => events.First(e => e.Event.Step == ProvisioningStep.Plan && e.Event.State == StepState.Succeeded && e.At > r.At).At).ToList();
        output.WriteLine($"re-planned {(planned[0] - marks["upload restarted"]).TotalMilliseconds:F0} ms after the first restarted daemon answered "
            + $"(killed {(planned[0] - marks["upload kill"]).TotalMilliseconds:F0} ms before), "
            + $"{(planned[1] - marks["define restarted"]).TotalMilliseconds:F0} ms after the second "
            + $"(stopped {(planned[1] - marks["define stop"]).TotalMilliseconds:F0} ms before); apply {result.Duration.TotalSeconds:F1} s");

        await AssertConvergedAsync(cluster, libvirtd.QemuUri);
    }

    [Fact]
    public async Task A_restart_while_nodes_wait_for_leases_keeps_the_guests_and_the_waits_and_stop_events_arrive_on_the_new_connection()
    {
        // Status probes the nodes' SSH port over TCP: that must not leave the sandbox namespace.
        TestEnvironment.RequireInsideNetworkNamespace();
        using var libvirtd = PrivateLibvirtd.Start();
        await using var cluster = await TinyCluster.CreateAsync("vtf-lw", libvirtd.QemuUri, workers: 2, subnet: 4, imageMiB: 1, TimeSpan.FromSeconds(150), output);
        var nodes = cluster.Layout.Nodes.Select(n => n.Name).ToArray();
        var taps = new ConcurrentDictionary<string, string>();
        var marks = new ConcurrentDictionary<string, TimeSpan>();
        var waiting = 0;
        Task? fault = null;
        HookedProgress? progress = null;
        progress = new HookedProgress(e =>
        {
            if (e.Step == ProvisioningStep.Boot && e.State == StepState.Succeeded)
            {
                // Hold every node's DHCP until libvirtd has been restarted.
                taps[e.Node!] = TinyCluster.TapOf(libvirtd.QemuUri, e.Node!);
                libvirtd.RunInNetworkNamespace("ip", "link", "set", taps[e.Node!], "down");
            }

            if (e.Step == ProvisioningStep.Lease && e.State == StepState.Started && Interlocked.Increment(ref waiting) == nodes.Length)
            {
                fault = Task.Run(async () =>
                {
                    await Task.Delay(2000);
                    marks["kill"] = progress!.Now;
                    libvirtd.StopLibvirtd(kill: true);
                    await Task.Delay(2000);
                    libvirtd.StartLibvirtd();
                    marks["restarted"] = progress.Now;

                    // Every wait is on the new connection: subscribed to its stop events, its domain's state checked.
                    for (var i = 0; i < 600 && cluster.Logs.Entries.Count(l => l.EventId == 3104) < nodes.Length; i++)
                    {
                        await Task.Delay(100);
                    }

                    Assert.True(cluster.Logs.Entries.Count(l => l.EventId == 3104) == nodes.Length,
                        "not every lease wait resumed on the new connection within 60 s of the restart");
                    marks["released"] = progress.Now;
                    foreach (var node in nodes[..2])
                    {
                        libvirtd.RunInNetworkNamespace("ip", "link", "set", taps[node], "up");
                    }

                    using var connection = Connection.Open(libvirtd.QemuUri);
                    using var domain = connection.LookupDomain(nodes[2])!;
                    marks["destroy"] = progress.Now;
                    domain.Destroy();
                });
            }
        });

        var result = await cluster.Engine.ApplyAsync(cluster.Spec, progress, CancellationToken.None);
        output.WriteLine(progress.Describe());
        Assert.NotNull(fault);
        await fault;
        output.WriteLine(string.Join(", ", marks.OrderBy(m => m.Value).Select(m => $"{m.Key} {m.Value.TotalSeconds:F2} s")));

        // Each wait lost its connection and went on over a new one.
        Assert.Equal(nodes.Length, cluster.Logs.Entries.Count(l => l.EventId == 3102));
        Assert.Equal(nodes.Length, cluster.Logs.Entries.Count(l => l.EventId == 3104));
        var byName = result.Nodes.ToDictionary(n => n.Name);
        foreach (var node in nodes[..2])
        {
            Assert.True(byName[node].Succeeded, $"{node}: {byName[node].Error}");
            var leased = progress.FirstAt(e => e.Node == node && e.Step == ProvisioningStep.Lease && e.State == StepState.Succeeded)!.Value;
            Assert.True(leased > marks["released"], $"{node} got its lease at {leased}, before its link was up again");
            output.WriteLine($"{node}: lease {(leased - marks["released"]).TotalSeconds:F1} s after its link came back");
        }

        // The stop event of a domain destroyed after the restart reached its wait through the new connection's
        // lifecycle subscription: at once, not at the 150 s lease timeout, and as a destroy (the state check
        // on reconnecting would have said "is shut off").
        var gone = byName[nodes[2]];
        Assert.False(gone.Succeeded);
        Assert.Matches("(was destroyed|was stopped from the host \\(destroyed, or its qemu process was signalled\\)) while waiting for its DHCP lease", gone.Error);
        var failedAt = progress.FirstAt(e => e.Node == nodes[2] && e.Step == ProvisioningStep.Lease && e.State == StepState.Failed)!.Value;
        output.WriteLine($"destroyed node failed {(failedAt - marks["destroy"]).TotalMilliseconds:F0} ms after the destroy");
        Assert.True(failedAt - marks["destroy"] < TimeSpan.FromSeconds(10), $"the destroyed node failed {failedAt - marks["destroy"]} after the destroy");

        // The guests lived through the restart: nothing was booted again, and status sees them.
        Assert.DoesNotContain(progress.Events, e => e.Event.Step == ProvisioningStep.Boot && e.At > marks["kill"]);
        var status = (await cluster.Engine.GetStatusAsync(cluster.Spec, CancellationToken.None)).Nodes.ToDictionary(n => n.Name);
        Assert.Equal(("running", cluster.Layout.Nodes[0].Address.ToString()), (status[nodes[0]].State, status[nodes[0]].Address));
        Assert.Equal(("running", cluster.Layout.Nodes[1].Address.ToString()), (status[nodes[1]].State, status[nodes[1]].Address));
        Assert.Equal("shut off", status[nodes[2]].State);

        // The next apply starts the destroyed node again and converges.
        var again = await cluster.Engine.ApplyAsync(cluster.Spec, new HookedProgress(), CancellationToken.None);
        Assert.True(again.Succeeded, again.Error + string.Join("; ", again.Nodes.Select(n => $"{n.Name}: {n.Error}")));
        await AssertConvergedAsync(cluster, libvirtd.QemuUri);
    }

    /// <summary>Exactly the spec's objects: every domain running, the pool holding only the cluster's volumes, an empty plan.</summary>
    private async Task AssertConvergedAsync(TinyCluster cluster, string uri)
    {
        var plan = await cluster.Engine.PlanAsync(cluster.Spec, CancellationToken.None);
        Assert.True(plan.IsEmpty, "plan after convergence: " + string.Join("; ", plan.Actions));
        var layout = cluster.Layout;
        using var connection = Connection.Open(uri);
        var domains = connection.ListDomains();
        try
        {
            Assert.Equal(layout.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal), domains.Select(d => d.Name).Order(StringComparer.Ordinal));
            Assert.All(domains, d => Assert.True(d.IsActive, $"{d.Name} is not running"));
        }
        finally
        {
            foreach (var domain in domains)
            {
                domain.Dispose();
            }
        }

        using var pool = connection.LookupStoragePool(cluster.Spec.Pool.Name)!;
        ClusterStateReader.RefreshPool(pool);
        var volumes = pool.ListVolumes();
        var names = volumes.Select(v => v.Name).Order(StringComparer.Ordinal).ToList();
        foreach (var volume in volumes)
        {
            volume.Dispose();
        }

        output.WriteLine("volumes: " + string.Join(", ", names));
        // Each node: its overlay, seed and serial console log (a pool volume since vhpcd reads consoles through libvirt).
        var expected = layout.Nodes.SelectMany(n => new[] { n.OverlayVolume, n.SeedVolume, n.ConsoleLog.Volume }).ToList();
        Assert.Equal(expected.Count + 2, names.Count);
        Assert.All(expected, v => Assert.Contains(v, names));
        Assert.Single(names, n => n.EndsWith(".qcow2.complete", StringComparison.Ordinal));
        var networks = connection.ListNetworks();
        var networkNames = networks.Select(n => n.Name).ToList();
        foreach (var network in networks)
        {
            network.Dispose();
        }

        Assert.Equal([cluster.Spec.Network.Name], networkNames);
    }
}
