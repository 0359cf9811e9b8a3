using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vhpc.Control.Protocol;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Engine;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;
using Xunit.Abstractions;

namespace Vhpc.Daemon.Tests.Faults;

/// <summary>
/// Issue 7, SIGTERM in the middle of a real apply: the built vhpcd in the foreground against the real
/// (shared) libvirtd, with a cluster of tiny TCG guests (no sshd) in a temporary clusters.d, its base
/// image served over HTTP from 127.0.0.1. SIGTERM while the base image downloads (the server stalls the
/// first response, so the download is certainly in flight), as domains are defined, and while the
/// nodes wait for leases: each time vhpcd exits 0 promptly, destroys nothing, and leaves no
/// half-made object in use; then SIGKILL while the nodes wait for SSH (socket file, keys and
/// known_hosts left as a crash leaves them); the next start resumes the download where the .part ends; a new vhpcd's
/// apply converges to exactly the spec's objects (the SSH step fails per node as expected: the guests
/// have no sshd), and destroy leaves nothing. Objects vtf-sig*, subnet 10.209.10.0/24. (A cancelled
/// upload into the volume is the engine's own test: UploadCancellationTests.)
/// </summary>
[Tier(TestTier.Guests)]
public sealed class SigtermDuringApplyTests(ITestOutputHelper output)
{
    private static string Uri => TestEnvironment.SharedLibvirtUri;
    private const string Cluster = "vtf-sig";
    private static string TinyImages => TestEnvironment.TinyImages;
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SIGTERM_during_download_define_and_lease_wait_exits_0_SIGKILL_during_ssh_and_the_next_start_converges()
    {
        Require();
        using var layout = new DaemonLayout();
        // Short SSH readiness: the tiny guests refuse SSH, and that per-node error is what the last apply expects.
        layout.WriteConfig("""{ "Guests": { "LeaseTimeout": "00:02:00", "Ssh": { "Timeout": "00:00:08", "InitialDelay": "00:00:01", "MaxDelay": "00:00:02" } } }""");
        var image = await MakeImageAsync(layout);
        await using var server = new StallingImageServer(image, stallAfter: 8 << 20);
        var specPath = WriteCluster(layout, server.Url, image);
        var loaded = ClusterSpecLoader.LoadFile(specPath);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        var spec = loaded.Spec!;
        var clusterLayout = ClusterLayout.From(spec);
        Assert.Equal([], Census(clusterLayout).All);
        try
        {
            // 1. SIGTERM while the 64 MiB base image downloads: 8 MiB are in, the server holds the rest.
            var first = await ApplyAndTerminateAsync(layout, p => p is { Step: "baseimage", State: "started" },
                () => server.Stalled.WaitAsync(TimeSpan.FromMinutes(2)), "- baseimage succeeded");
            var afterDownload = Census(clusterLayout);
            output.WriteLine($"after SIGTERM during the download: {afterDownload}");
            AssertNothingHalfMadeInUse(afterDownload, clusterLayout);
            Assert.Empty(afterDownload.Domains);
            Assert.DoesNotContain(afterDownload.Volumes, v => v.EndsWith(".complete", StringComparison.Ordinal));
            var cache = Path.Combine(layout.StateDirectory, "images");
            var cached = Directory.GetFiles(cache);
            var part = Assert.Single(cached);
            Assert.EndsWith(".part", part, StringComparison.Ordinal);
            var partLength = new FileInfo(part).Length;
            Assert.InRange(partLength, 1, 8 << 20);

            // 2. SIGTERM as the first domain is being defined (the nodes' volumes and seeds are made in parallel).
            var atDefine = await ApplyAndTerminateAsync(layout, p => p is { Step: "define", State: "started" }, () => Task.CompletedTask);
            Assert.Equal(["-", $"bytes={partLength}-"], server.Ranges);
            Assert.False(File.Exists(part), $"{part} is still there after the resumed download completed");
            var afterDefine = Census(clusterLayout);
            output.WriteLine($"after SIGTERM during define: {afterDefine}");
            AssertNothingHalfMadeInUse(afterDefine, clusterLayout);
            Assert.All(afterDefine.Domains, d => Assert.Contains(d.Name, clusterLayout.Nodes.Select(n => n.Name)));

            // 3. SIGTERM while every node waits for its lease (domains defined and running).
            var second = await ApplyAndTerminateAsync(layout, p => p is { Step: "lease", State: "started" }, () => Task.Delay(TimeSpan.FromSeconds(1)));
            var afterLease = Census(clusterLayout);
            output.WriteLine($"after SIGTERM during the lease wait: {afterLease}");
            AssertNothingHalfMadeInUse(afterLease, clusterLayout);
            Assert.Equal(clusterLayout.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal), afterLease.Domains.Select(d => d.Name));
            Assert.All(afterLease.Domains, d => Assert.True(d.Running, $"{d.Name} was stopped by vhpcd's stop; stopping must never touch the cluster"));
            output.WriteLine($"exit after SIGTERM: {first.TotalMilliseconds:F0} ms during the download, {atDefine.TotalMilliseconds:F0} ms during define, "
                + $"{second.TotalMilliseconds:F0} ms during the lease wait");

            // 3b. SIGKILL (a crash: no cleanup at all) while the nodes wait for SSH: the socket file stays
            //     behind, keys and known_hosts were written; the next vhpcd must take over from that.
            var killedAt = await ApplyAndKillAsync(layout, p => p is { Step: "ssh", State: "started" });
            var afterKill = Census(clusterLayout);
            output.WriteLine($"after SIGKILL during the SSH wait ({killedAt}): {afterKill}");
            AssertNothingHalfMadeInUse(afterKill, clusterLayout);
            Assert.All(afterKill.Domains, d => Assert.True(d.Running, $"{d.Name} stopped when vhpcd was killed"));
            Assert.True(File.Exists(layout.SocketPath), "a SIGKILLed vhpcd cannot have removed its socket; the test did not kill it");

            // 4. A new vhpcd converges: exactly the spec's objects; only the SSH step fails, per node.
            await using (var daemon = DaemonProcess.Start(layout))
            {
                await daemon.WaitUntilServingAsync();
                var apply = await daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Apply, Cluster));
                Assert.True(apply.Apply is not null, $"apply answered {apply.Kind}: {apply.Error?.Message}\n{daemon.Output}");
                foreach (var node in apply.Apply!.Nodes)
                {
                    output.WriteLine($"{node.Name}: {node.Error}");
                    Assert.False(node.Succeeded, $"{node.Name} cannot be SSH-ready: the tiny guest has no sshd");
                    Assert.Contains("SSH", node.Error, StringComparison.Ordinal);
                    Assert.DoesNotContain("lease", node.Error, StringComparison.OrdinalIgnoreCase);
                }

                var converged = Census(clusterLayout);
                output.WriteLine($"after the converging apply: {converged}");
                AssertExactly(converged, clusterLayout);
                var plan = await daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Plan, Cluster));
                Assert.True(plan.Plan is { Actions.Count: 0 }, "plan after convergence: " + string.Join("; ", plan.Plan?.Actions.Select(a => $"{a.Kind} {a.Target} {a.Name}") ?? []));

                // 5. Destroy leaves nothing.
                var destroy = await daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Destroy, Cluster));
                Assert.True(destroy.Destroy is not null, $"destroy answered {destroy.Kind}: {destroy.Error?.Message}");
                Assert.Equal([], Census(clusterLayout).All);
                Assert.False(Directory.Exists(spec.Pool.Path), $"{spec.Pool.Path} is left behind");
                await daemon.SignalAsync("TERM");
                Assert.Equal(0, await daemon.WaitForExitAsync(Prompt));
            }
        }
        finally
        {
            // Whatever a failed assertion left: the engine itself removes the cluster's objects.
            using var services = new ServiceCollection().AddSingleton(typeof(ILogger<>), typeof(NullLogger<>)).AddVhpcEngine().BuildServiceProvider();
            await services.GetRequiredService<IClusterEngine>().DestroyAsync(spec, new Progress<Engine.Progress.ProgressEvent>(), CancellationToken.None);
        }
    }

    /// <summary>Starts vhpcd, applies, sends SIGTERM once the trigger's progress line came and <paramref name="then"/> completed; returns how long the exit took.</summary>
    /// <param name="notYet">A progress line that must not have arrived before the signal (else the step was not interrupted).</param>
    private async Task<TimeSpan> ApplyAndTerminateAsync(DaemonLayout layout, Func<ProgressInfo, bool> trigger, Func<Task> then, string? notYet = null)
    {
        await using var daemon = DaemonProcess.Start(layout);
        await daemon.WaitUntilServingAsync();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var steps = new List<string>();
        var apply = daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Apply, Cluster), new SyncProgress(p =>
        {
            lock (steps)
            {
                steps.Add($"{p.Node ?? "-"} {p.Step} {p.State} {p.Message}");
            }

            if (trigger(p))
            {
                reached.TrySetResult();
            }
        }));
        var first = await Task.WhenAny(reached.Task, apply, Task.Delay(TimeSpan.FromMinutes(3)));
        Assert.True(first == reached.Task, $"the apply never reached the step to interrupt; progress:\n{string.Join('\n', steps)}\n{daemon.Output}");
        await then();
        var watch = Stopwatch.StartNew();
        await daemon.SignalAsync("TERM");
        lock (steps)
        {
            output.WriteLine($"SIGTERM after: {steps[^1]}");
            Assert.True(notYet is null || !steps.Any(s => s.StartsWith(notYet, StringComparison.Ordinal)),
                $"'{notYet}' came before the signal: the step was not interrupted; progress:\n{string.Join('\n', steps)}");
        }

        var code = await daemon.WaitForExitAsync(Prompt);
        var exited = watch.Elapsed;
        Assert.True(code == 0, $"vhpcd exited {code} after SIGTERM; output:\n{daemon.Output}");
        var answer = await apply.WaitAsync(Prompt);
        output.WriteLine($"apply answered {answer.Kind}: {answer.Error?.Code} {answer.Error?.Message}; vhpcd exited 0 {exited.TotalMilliseconds:F0} ms after SIGTERM");
        Assert.Equal(ControlErrorCode.ShuttingDown, answer.Error?.Code);
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("destroy", StringComparison.OrdinalIgnoreCase) && l.Contains(Cluster, StringComparison.Ordinal));
        return exited;
    }

    /// <summary>Starts vhpcd, applies, SIGKILLs it once the trigger's progress line came; returns that line.</summary>
    private static async Task<string> ApplyAndKillAsync(DaemonLayout layout, Func<ProgressInfo, bool> trigger)
    {
        await using var daemon = DaemonProcess.Start(layout);
        await daemon.WaitUntilServingAsync();
        var reached = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var apply = daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Apply, Cluster), new SyncProgress(p =>
        {
            if (trigger(p))
            {
                reached.TrySetResult($"{p.Node ?? "-"} {p.Step} {p.State}");
            }
        }));
        var first = await Task.WhenAny(reached.Task, apply, Task.Delay(TimeSpan.FromMinutes(3)));
        Assert.True(first == reached.Task, $"the apply never reached the step to interrupt\n{daemon.Output}");
        await daemon.SignalAsync("KILL");
        Assert.Equal(137, await daemon.WaitForExitAsync(Prompt));
        await Assert.ThrowsAnyAsync<Exception>(() => apply.WaitAsync(Prompt));
        return await reached.Task;
    }

    /// <summary>A base volume without its completion marker is never backing a node, and every domain's disks exist.</summary>
    private static void AssertNothingHalfMadeInUse(CensusResult census, ClusterLayout layout)
    {
        var completeBase = census.Volumes.Any(v => v.EndsWith(".complete", StringComparison.Ordinal));
        if (!completeBase)
        {
            Assert.DoesNotContain(census.Volumes, v => layout.Nodes.Any(n => n.OverlayVolume == v));
            Assert.Empty(census.Domains);
        }

        Assert.True(census.Volumes.Count(v => v.Contains("-base-", StringComparison.Ordinal) && !v.EndsWith(".complete", StringComparison.Ordinal)) <= 1,
            "more than one base volume: " + string.Join(", ", census.Volumes));
        foreach (var domain in census.Domains)
        {
            foreach (var disk in domain.Disks)
            {
                Assert.True(census.VolumePaths.Contains(disk), $"{domain.Name} uses {disk}, which is not a volume of the pool");
            }
        }
    }

    private static void AssertExactly(CensusResult census, ClusterLayout layout)
    {
        Assert.Equal(layout.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal), census.Domains.Select(d => d.Name));
        Assert.All(census.Domains, d => Assert.True(d.Running, $"{d.Name} is not running"));
        var expected = layout.Nodes.SelectMany(n => new[] { n.OverlayVolume, n.SeedVolume, n.ConsoleLog.Volume }).ToList();
        Assert.Equal(expected.Count + 2, census.Volumes.Count);
        Assert.All(expected, v => Assert.Contains(v, census.Volumes));
        Assert.Single(census.Volumes, v => v.EndsWith(".complete", StringComparison.Ordinal));
        Assert.Equal([layout.NetworkName], census.Networks);
        Assert.Equal([layout.Spec.Pool.Name], census.Pools);
    }

    private sealed record DomainCensus(string Name, bool Running, IReadOnlyList<string> Disks);

    private sealed record CensusResult(IReadOnlyList<DomainCensus> Domains, IReadOnlyList<string> Volumes, IReadOnlySet<string> VolumePaths,
        IReadOnlyList<string> Networks, IReadOnlyList<string> Pools)
    {
        public IReadOnlyList<string> All => [.. Domains.Select(d => d.Name), .. Volumes, .. Networks, .. Pools];

        public override string ToString() =>
            $"domains [{string.Join(", ", Domains.Select(d => $"{d.Name}{(d.Running ? "" : " (off)")}"))}], volumes [{string.Join(", ", Volumes)}], "
            + $"networks [{string.Join(", ", Networks)}], pools [{string.Join(", ", Pools)}]";
    }

    /// <summary>Every libvirt object named with the cluster's prefix.</summary>
    private static CensusResult Census(ClusterLayout layout)
    {
        using var connection = Connection.Open(Uri);
        var domains = new List<DomainCensus>();
        foreach (var domain in connection.ListDomains())
        {
            using (domain)
            {
                if (domain.Name.StartsWith(Cluster, StringComparison.Ordinal))
                {
                    var disks = XDocument.Parse(domain.GetXml()).Descendants("disk").Elements("source").Attributes("file").Select(a => a.Value).ToList();
                    domains.Add(new DomainCensus(domain.Name, domain.IsActive, disks));
                }
            }
        }

        var volumes = new List<string>();
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var pools = new List<string>();
        foreach (var pool in connection.ListStoragePools())
        {
            using (pool)
            {
                if (!pool.Name.StartsWith(Cluster, StringComparison.Ordinal))
                {
                    continue;
                }

                pools.Add(pool.Name);
                if (pool.IsActive)
                {
                    ClusterStateReader.RefreshPool(pool);
                    foreach (var volume in pool.ListVolumes())
                    {
                        using (volume)
                        {
                            volumes.Add(volume.Name);
                            paths.Add(volume.Path);
                        }
                    }
                }
            }
        }

        var networks = new List<string>();
        foreach (var network in connection.ListNetworks())
        {
            using (network)
            {
                if (network.Name.StartsWith(Cluster, StringComparison.Ordinal))
                {
                    networks.Add(network.Name);
                }
            }
        }

        _ = layout;
        return new CensusResult(domains.OrderBy(d => d.Name, StringComparer.Ordinal).ToList(), volumes.Order(StringComparer.Ordinal).ToList(), paths,
            networks, pools);
    }

    /// <summary>A 64 MiB qcow2 of random content: the bytes the server offers as the base image.</summary>
    private static async Task<byte[]> MakeImageAsync(DaemonLayout layout)
    {
        var images = Path.Combine(layout.Root, "images");
        Directory.CreateDirectory(images);
        var raw = Path.Combine(images, "base.raw");
        await File.WriteAllBytesAsync(raw, RandomNumberGenerator.GetBytes(64 << 20));
        var image = Path.Combine(images, "base.qcow2");
        var convert = await ProcessRunner.RunAsync("qemu-img", ["convert", "-q", "-f", "raw", "-O", "qcow2", raw, image]);
        Assert.True(convert.ExitCode == 0, $"qemu-img convert failed: {convert.Error} (install qemu-utils; tests/env/up.sh does)");
        File.Delete(raw);
        var bytes = await File.ReadAllBytesAsync(image);
        File.Delete(image);
        return bytes;
    }

    private static string WriteCluster(DaemonLayout layout, Uri source, byte[] image)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(image));
        return layout.WriteCluster($"{Cluster}.yaml", $$"""
            name: {{Cluster}}
            domain: vtf.test
            connect: {{Uri}}
            image:
              source: {{source}}
              sha256: {{sha}}
              osFamily: Debian
              boot: { kernel: {{TinyImages}}/vmlinuz, initrd: {{TinyImages}}/initrd.img, cmdline: "console=ttyS0" }
            pool: { name: {{Cluster}}, path: /var/lib/libvirt/images/{{Cluster}} }
            network: { name: {{Cluster}}-net, cidr: 10.209.10.0/24, bridge: vtf-br10 }
            user: { name: vhpc }
            management: { count: 1, vcpu: 1, memoryMiB: 256, diskGiB: 1 }
            workers: { count: 2, vcpu: 1, memoryMiB: 256, diskGiB: 1 }
            vm: { accelerator: qemu, graphics: none }
            """);
    }

    /// <summary>Fails with what to run when the shared libvirtd, its namespace or the tiny image is missing.</summary>
    private static void Require()
    {
        _ = TestEnvironment.SharedLibvirtUri;
        foreach (var file in new[] { "vmlinuz", "initrd.img" })
        {
            Assert.True(File.Exists(Path.Combine(TinyImages, file)), $"{TinyImages}/{file} is missing: build it with deploy/image/build-tiny.sh (as root)");
        }

        // vhpcd probes SSH on the guests: that traffic must stay inside the sandbox namespace.
        TestEnvironment.RequireInsideNetworkNamespace();
    }

    private sealed class SyncProgress(Action<ProgressInfo> report) : IProgress<ProgressInfo>
    {
        public void Report(ProgressInfo value) => report(value);
    }
}
