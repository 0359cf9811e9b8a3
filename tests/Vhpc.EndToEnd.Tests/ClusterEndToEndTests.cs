using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vhpc.Ansible;
using Vhpc.Engine;
using Vhpc.Engine.Power;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Status;
using Vhpc.Guests;
using Vhpc.Guests.Ssh;
using Vhpc.Guests.State;
using Vhpc.Libvirt;
using Vhpc.Spec;
using Vhpc.Spec.Addressing;
using Vhpc.Spec.Layout;
using Vhpc.Testing;
using Xunit.Abstractions;

namespace Vhpc.EndToEnd.Tests;

/// <summary>
/// Issues 5 and 6, "Prove it": a 1 management + 3 worker cluster from the built image, applied through
/// IClusterEngine against the sandboxed libvirtd under TCG; every node gets its fixed lease, accepts
/// SSH with the generated key, reports its hostname and cloud-init done with our seed; the Ansible
/// step makes Slurm work (sinfo shows 3 idle workers, srun -N3 runs on each, an sbatch job completes
/// and its output is read back); issue 14: an MPI program built on the management node computes an
/// allreduce across the 3 workers through srun --mpi=pmix, and sacct lists the finished jobs; a
/// second apply changes nothing; destroy then leaves no domain, volume, network, pool or file of the
/// cluster. Run (as root, ~15 minutes under TCG):
///   dotnet build tests/Vhpc.EndToEnd.Tests &amp;&amp; ip netns exec vhpc-test dotnet test tests/Vhpc.EndToEnd.Tests --no-build
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Tier(TestTier.EndToEnd)]
public sealed partial class ClusterEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const string Cluster = "vhpc-e2e";
    private readonly string _stateRoot = Directory.CreateTempSubdirectory("vhpc-e2e-state-").FullName;
    private readonly CapturingLoggerProvider _logs = new();
    private readonly string _channelDirectory = Directory.CreateDirectory($"/run/vhpc-e2e-channels-{Environment.ProcessId}",
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;

    [Fact]
    public async Task Apply_one_management_and_three_workers_then_destroy_leaves_nothing()
    {
        Sandbox.Require();
        var spec = LoadSpec();
        var layout = ClusterLayout.From(spec);
        await using var services = Services();
        var engine = services.GetRequiredService<IClusterEngine>();
        var events = new ConcurrentQueue<ProgressEvent>();
        var progress = new SynchronousProgress(e =>
        {
            events.Enqueue(e);
            output.WriteLine($"{e.Time:HH:mm:ss} {e.Node ?? "(cluster)"} {e.Step} {e.State} {e.Elapsed?.TotalSeconds:0.0} {e.Message}");
        });

        // A previous run that died half-way must not make this one fail or leak.
        await engine.DestroyAsync(spec, progress, CancellationToken.None);

        var started = DateTimeOffset.UtcNow;
        try
        {
            var result = await engine.ApplyAsync(spec, progress, CancellationToken.None);
            var applySeconds = (DateTimeOffset.UtcNow - started).TotalSeconds;

            Assert.True(result.Succeeded, $"apply failed: {result.Error}\n" + string.Join("\n", result.Nodes.Select(n => $"{n.Name}: {n.Error}\n{n.ConsoleTail}")));
            Assert.Equal(4, result.Nodes.Count);

            // Every node: its fixed address as lease, then SSH-ready with cloud-init done from our NoCloud seed.
            foreach (var node in layout.Nodes)
            {
                var lease = Assert.Single(events, e => e.Node == node.Name && e.Step == ProvisioningStep.Lease && e.State == StepState.Succeeded);
                Assert.Equal(node.Address.ToString(), lease.Message);
                var ssh = Assert.Single(events, e => e.Node == node.Name && e.Step == ProvisioningStep.Ssh && e.State == StepState.Succeeded);
                Assert.Contains("cloud-init: status: done", ssh.Message, StringComparison.Ordinal);
                Assert.Contains("DataSourceNoCloud", ssh.Message, StringComparison.Ordinal);
                Assert.Contains($"fqdn {node.Fqdn}", ssh.Message, StringComparison.Ordinal);
                output.WriteLine($"MEASURE {node.Name}: lease {lease.Elapsed?.TotalSeconds:0.0} s after boot wait began, SSH-ready {ssh.Elapsed?.TotalSeconds:0.0} s after lease");
            }

            foreach (var node in layout.Nodes)
            {
                var configured = Assert.Single(events, e => e.Node == node.Name && e.Step == ProvisioningStep.Configure && e.State == StepState.Succeeded);
                output.WriteLine($"MEASURE {node.Name}: Ansible phase {configured.Elapsed?.TotalSeconds:0.0} s ({configured.Message})");
            }

            output.WriteLine($"MEASURE apply to Slurm-ready (upload, define, boot, 4 leases, 4 SSH-ready, Ansible): {applySeconds:0.0} s");
            await CheckStatusTellsTheTruthAsync(engine, spec, layout);
            await CheckNodesIndependentlyAsync(services, spec, layout);
            await CheckSlurmAsync(services, spec, layout);
            await CheckMpiAndAccountingAsync(services, spec, layout);
            CheckSecretsNeverLogged(spec);
            await CheckSecretsNotInTheNodesJournalsAsync(services, spec, layout);
            // Issue 14 (ClusterEndToEndTests.Check.cs): vhpc check passes, names a broken worker, passes once repaired.
            await CheckVhpcCheckFindsABrokenWorkerAsync(services, engine, spec, layout);
            // Issue 12 (ClusterEndToEndTests.Scaling.cs): a second apply configures nothing, then 3 -> 4 -> 2 workers.
            await CheckSecondApplyConfiguresNothingAsync(engine, spec, layout);
            await CheckScaleOutAndInAsync(services, engine);
            // Issue 15 (ClusterEndToEndTests.Elastic.cs): Slurm powers on-demand workers up and down through vhpcd.
            await CheckElasticAsync(services, engine);
        }
        finally
        {
            var destroyed = await engine.DestroyAsync(spec, progress, CancellationToken.None);
            output.WriteLine($"destroy removed {destroyed.ObjectsRemoved} objects");
        }

        AssertNothingLeft(layout);
    }

    /// <summary>Issue 7: what `vhpc status` shows for a configured cluster: running, leased, SSH ready, configured.</summary>
    private async Task CheckStatusTellsTheTruthAsync(IClusterEngine engine, ClusterSpec spec, ClusterLayout layout)
    {
        var status = await engine.GetStatusAsync(spec, CancellationToken.None);
        Assert.True(status.NetworkActive, "status: the network is not active");
        Assert.Equal(layout.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal), status.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal));
        foreach (var node in status.Nodes)
        {
            output.WriteLine($"status {node.Name}: {node.State} {node.Address} ssh {node.Ssh} configured {node.Configuration.State} {node.Error}");
            Assert.Equal(layout.Nodes.Single(n => n.Name == node.Name).Address.ToString(), node.Address);
            Assert.Equal(SshState.Ready, node.Ssh);
            Assert.Equal(ConfigurationState.Yes, node.Configuration.State);
        }
    }

    /// <summary>Not through the engine's own report: connect again, as `vhpc ssh` and ansible will.</summary>
    private async Task CheckNodesIndependentlyAsync(ServiceProvider services, ClusterSpec spec, ClusterLayout layout)
    {
        var runner = services.GetRequiredService<ISshCommandRunner>();
        var state = Path.Combine(_stateRoot, Cluster);
        var key = Path.Combine(state, ClusterStateDirectory.PrivateKeyFileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        var knownHosts = Path.Combine(state, "known_hosts");
        Assert.Equal(4, File.ReadAllLines(knownHosts).Length);

        foreach (var node in layout.Nodes)
        {
            var result = await runner.RunAsync(Target(spec, node),
                "hostname; hostname -f; cloud-init status; cloud-init query instance_id; cloud-init query platform; ip -4 -o addr show eth0", CancellationToken.None);
            Assert.True(result.Succeeded, $"{node.Name}: {result.StandardError}");
            var lines = result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(node.Name, lines[0]);
            Assert.Equal(node.Fqdn, lines[1]);
            Assert.Equal("status: done", lines[2]);
            Assert.StartsWith($"{Cluster}-{node.Name}-", lines[3], StringComparison.Ordinal); // the instance-id our seed wrote
            Assert.Equal("nocloud", lines[4]);
            Assert.Contains($"inet {node.Address}/24", lines[5], StringComparison.Ordinal);
        }

        // OpenSSH (what ansible runs) accepts the same key and the recorded host keys, strictly.
        var management = layout.Management;
        var ssh = Sandbox.TryRun("ssh", "-F", "/dev/null", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", $"UserKnownHostsFile={knownHosts}", "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
            $"{spec.User.Name}@{management.Address}", "sudo", "-n", "true", "&&", "echo", "ok");
        Assert.True(ssh.ExitCode == 0, $"OpenSSH to {management.Name}: {ssh.Error}");
        Assert.Equal("ok", ssh.Output.Trim());
    }

    /// <summary>Issue 6: Slurm works across the three workers, as a user of the cluster sees it.</summary>
    private async Task CheckSlurmAsync(ServiceProvider services, ClusterSpec spec, ClusterLayout layout)
    {
        var runner = services.GetRequiredService<ISshCommandRunner>();
        var management = layout.Management;
        var workers = layout.Nodes.Where(n => n.Role == NodeRole.Worker).Select(n => n.Name).Order(StringComparer.Ordinal).ToList();

        async Task<string> OnAsync(ClusterNode node, string command)
        {
            var result = await runner.RunAsync(Target(spec, node), command, CancellationToken.None);
            output.WriteLine($"{node.Name}$ {command}\n{result.StandardOutput}{result.StandardError}");
            Assert.True(result.Succeeded, $"{node.Name}: `{command}` failed: {result.StandardError}");
            return result.StandardOutput;
        }

        var sinfo = await OnAsync(layout.Management, "sinfo -h -N -o '%N %t'");
        var states = sinfo.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        Assert.Equal(workers, states.Keys.Order(StringComparer.Ordinal).ToList());
        Assert.All(states.Values, state => Assert.Equal("idle", state));

        var srun = await OnAsync(layout.Management, "srun -N3 hostname");
        Assert.Equal(workers, srun.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList());

        // /home is the management node's, shared over NFS: every worker mounts it, and a job's output
        // written on a worker is read back on the management node.
        // The baked mount unit names the server vhpc-controller, which /etc/hosts resolves to the
        // management node's address; the management node does not mount its own export.
        foreach (var worker in layout.Nodes.Where(n => n.Role == NodeRole.Worker))
        {
            var mount = await OnAsync(worker, "findmnt -n -o SOURCE,FSTYPE /home; getent hosts vhpc-controller");
            var lines = mount.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
            Assert.Equal("vhpc-controller:/home nfs4", lines[0]);
            Assert.StartsWith($"{management.Address} ", lines[1], StringComparison.Ordinal);
        }
        Assert.Equal("not mounted", (await OnAsync(management, "findmnt -n /home >/dev/null && echo mounted || echo not mounted")).Trim());

        var first = layout.Nodes.First(n => n.Name == workers[0]);
        await OnAsync(layout.Management, $"cd ~ && sbatch --wait -w {first.Name} -o vhpc-e2e-job.out --wrap 'hostname; echo job-done'");
        var job = await OnAsync(layout.Management, "cat ~/vhpc-e2e-job.out");
        Assert.Equal([first.Name, "job-done"], job.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>
    /// Issue 14 items 1 and 2: OpenMPI with PMIx and accounting. A C program built with mpicc on the
    /// management node (in the shared /home) runs one rank per worker under srun --mpi=pmix and checks
    /// a collective result (the allreduce of the ranks 0+1+2), not just that it ran; then sacct lists
    /// the cluster's finished jobs as COMPLETED (slurmdbd gets them from slurmctld a moment later).
    /// </summary>
    private async Task CheckMpiAndAccountingAsync(ServiceProvider services, ClusterSpec spec, ClusterLayout layout)
    {
        var runner = services.GetRequiredService<ISshCommandRunner>();
        var management = layout.Management;
        var workers = layout.Nodes.Where(n => n.Role == NodeRole.Worker).Select(n => n.Name).Order(StringComparer.Ordinal).ToList();

        async Task<string> OnManagementAsync(string command)
        {
            var result = await runner.RunAsync(Target(spec, management), command, CancellationToken.None);
            output.WriteLine($"{management.Name}$ {command}\n{result.StandardOutput}{result.StandardError}");
            Assert.True(result.Succeeded, $"{management.Name}: `{command}` failed: {result.StandardError}");
            return result.StandardOutput;
        }

        await OnManagementAsync("""
            cat > ~/vhpc-allreduce.c <<'SOURCE'
            #include <mpi.h>
            #include <stdio.h>
            #include <unistd.h>
            int main(int argc, char **argv)
            {
                int rank, size, sum = -1;
                char host[256];
                MPI_Init(&argc, &argv);
                MPI_Comm_rank(MPI_COMM_WORLD, &rank);
                MPI_Comm_size(MPI_COMM_WORLD, &size);
                gethostname(host, sizeof host);
                MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
                printf("rank %d of %d on %s: sum %d\n", rank, size, host, sum);
                MPI_Finalize();
                return 0;
            }
            SOURCE
            cd ~ && mpicc -O2 -o vhpc-allreduce vhpc-allreduce.c
            """);
        var started = DateTimeOffset.UtcNow;
        var mpi = await OnManagementAsync("cd ~ && srun --mpi=pmix -N3 -n3 ./vhpc-allreduce");
        output.WriteLine($"MEASURE MPI allreduce over srun --mpi=pmix on 3 workers: {(DateTimeOffset.UtcNow - started).TotalSeconds:0.0} s");
        var ranks = mpi.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^rank (?<rank>[0-2]) of 3 on (?<host>\S+): sum (?<sum>-?\d+)$"))
            .Where(m => m.Success)
            .ToList();
        Assert.Equal(["0", "1", "2"], ranks.Select(m => m.Groups["rank"].Value).Order(StringComparer.Ordinal));
        // 0 + 1 + 2 on every rank: each got every other rank's contribution.
        Assert.All(ranks, m => Assert.Equal("3", m.Groups["sum"].Value));
        Assert.Equal(workers, ranks.Select(m => m.Groups["host"].Value).Order(StringComparer.Ordinal).ToList());

        // The jobs of this test so far: srun hostname, the sbatch job, the MPI job. slurmctld sends
        // them to slurmdbd asynchronously: wait for them a little.
        string[] jobs = [];
        for (var attempt = 0; attempt < 30; attempt++)
        {
            var sacct = await OnManagementAsync("sacct -X -n -P -a -S now-1hour -o JobID,JobName,State,User,Account");
            jobs = sacct.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (jobs.Count(j => j.Contains("|COMPLETED|", StringComparison.Ordinal)) >= 3)
                break;
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        Assert.True(jobs.Count(j => j.Contains("|COMPLETED|", StringComparison.Ordinal)) >= 3, "sacct does not list 3 completed jobs:\n" + string.Join('\n', jobs));
        Assert.Contains(jobs, j => j.Contains("|vhpc-allreduce|COMPLETED|" + spec.User.Name + "|vhpc", StringComparison.Ordinal));
        Assert.Contains(jobs, j => j.Contains("|hostname|COMPLETED|", StringComparison.Ordinal));
        Assert.Contains(jobs, j => j.Contains("|wrap|COMPLETED|", StringComparison.Ordinal));
    }

    /// <summary>Neither the munge key nor the database password may land in a node's journal (Ansible logs module arguments there).</summary>
    private async Task CheckSecretsNotInTheNodesJournalsAsync(ServiceProvider services, ClusterSpec spec, ClusterLayout layout)
    {
        var runner = services.GetRequiredService<ISshCommandRunner>();
        var password = File.ReadAllText(Path.Combine(_stateRoot, spec.Name, AnsibleClusterConfiguration.DatabasePasswordFileName));
        var munge = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(_stateRoot, spec.Name, AnsibleClusterConfiguration.MungeKeyFileName)));
        foreach (var node in layout.Nodes)
        {
            var result = await runner.RunAsync(Target(spec, node),
                $"sudo journalctl -b --no-pager | grep -c -F -e '{password}' -e '{munge[..40]}' || true", CancellationToken.None);
            Assert.True(result.Succeeded, $"{node.Name}: {result.StandardError}");
            Assert.Equal("0", result.StandardOutput.Trim());
        }
    }

    private SshTarget Target(ClusterSpec spec, ClusterNode node)
    {
        var state = new ClusterStateDirectory(_stateRoot, spec.Name);
        return new SshTarget(node.Address.ToString(), 22, spec.User.Name, state.PrivateKeyPath, state.KnownHostsPath, node.Fqdn);
    }

    private void CheckSecretsNeverLogged(ClusterSpec spec)
    {
        var passwordPath = Path.Combine(_stateRoot, spec.Name, AnsibleClusterConfiguration.DatabasePasswordFileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(passwordPath));
        Assert.DoesNotContain(File.ReadAllText(passwordPath), string.Join('\n', _logs.Lines), StringComparison.Ordinal);
        var mungePath = Path.Combine(_stateRoot, spec.Name, AnsibleClusterConfiguration.MungeKeyFileName);
        var munge = File.ReadAllBytes(mungePath);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(mungePath));
        var logged = string.Join('\n', _logs.Lines);
        Assert.DoesNotContain(Convert.ToBase64String(munge), logged, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(munge[..32]), logged, StringComparison.OrdinalIgnoreCase);

        var key = File.ReadAllText(Path.Combine(_stateRoot, spec.Name, ClusterStateDirectory.PrivateKeyFileName));
        var body = key.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)).ToList();
        var text = string.Join('\n', _logs.Lines);
        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
        foreach (var line in body)
        {
            Assert.DoesNotContain(line, text, StringComparison.Ordinal);
        }
    }

    private void AssertNothingLeft(ClusterLayout layout)
    {
        var left = new List<string>();
        using (var connection = Connection.Open(TestEnvironment.SharedLibvirtUri))
        {
            foreach (var domain in connection.ListDomains())
            {
                using (domain)
                {
                    if (domain.Name.StartsWith(Cluster, StringComparison.Ordinal))
                    {
                        left.Add($"domain {domain.Name}");
                    }
                }
            }

            foreach (var network in connection.ListNetworks())
            {
                using (network)
                {
                    if (network.Name == layout.NetworkName || network.Name.StartsWith(Cluster, StringComparison.Ordinal))
                    {
                        left.Add($"network {network.Name}");
                    }
                }
            }

            foreach (var pool in connection.ListStoragePools())
            {
                using (pool)
                {
                    if (pool.Name == layout.PoolName || pool.Name.StartsWith(Cluster, StringComparison.Ordinal))
                    {
                        left.Add($"pool {pool.Name} with volumes {string.Join(", ", pool.IsActive ? pool.ListVolumes().Select(v => v.Name) : [])}");
                    }
                }
            }
        }

        if (Directory.Exists(layout.PoolPath))
        {
            left.Add($"pool directory {layout.PoolPath}: {string.Join(", ", Directory.GetFileSystemEntries(layout.PoolPath))}");
        }

        // The serial logs are volumes of the pool (its directory is checked above). libvirt's own
        // per-domain qemu log stays after undefine, as for every domain (root's; logrotate's business).
        if (Directory.Exists(Path.Combine(_stateRoot, Cluster)))
        {
            left.Add($"state directory {Path.Combine(_stateRoot, Cluster)}");
        }

        Assert.True(left.Count == 0, "destroy left behind:\n" + string.Join("\n", left));
    }

    private ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
        services.AddVhpcEngine();
        services.AddVhpcGuests(o =>
        {
            o.StateRoot = _stateRoot;
            // Generous bounds: the CI machine (2 cores) also runs other helpers' guests; under that load
            // a TCG guest took 259 s to its lease and 302 s more to cloud-init done (alone: ~35 s and ~64 s).
            o.LeaseTimeout = TimeSpan.FromMinutes(12);
            o.Ssh.Timeout = TimeSpan.FromMinutes(15);
        });
        // The test process already runs inside the namespace, so ansible-playbook needs no `ip netns exec`.
        services.AddVhpcAnsibleConfiguration(o => o.PlaybookPath = Sandbox.Playbook);
        // Elastic clusters' management domains get their power channel here (libvirt binds the socket).
        services.AddOptions<PowerChannelOptions>().Configure(o => o.Directory = _channelDirectory);
        return services.BuildServiceProvider();
    }

    private static ClusterSpec LoadSpec(int workers = 3, string? elastic = null)
    {
        var loaded = ClusterSpecLoader.Parse(SpecYaml(workers, elastic), "vhpc-e2e.yaml");
        Assert.True(loaded.Spec is not null, string.Join("\n", loaded.Errors));
        return loaded.Spec;
    }

    /// <param name="elastic">workers.elastic as YAML flow mapping, or null.</param>
    private static string SpecYaml(int workers = 3, string? elastic = null)
    {
        // The resolved directory: a rebuild meanwhile must not change the image under a running test.
        var images = new DirectoryInfo(Sandbox.ImageDirectory).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Sandbox.ImageDirectory;
        var root = Path.Combine(images, "root.qcow2");
        string sha256;
        using (var stream = File.OpenRead(root))
        {
            sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        var yaml = string.Create(CultureInfo.InvariantCulture, $$"""
            name: {{Cluster}}
            domain: vhpc.test
            connect: qemu:///system
            image:
              source: {{root}}
              sha256: {{sha256}}
              osFamily: Debian
              boot: { kernel: {{images}}/vmlinuz, initrd: {{images}}/initrd.img, cmdline: "root=/dev/vda rw console=ttyS0 net.ifnames=0 no_timer_check" }
            network: { cidr: 192.168.123.0/24 }
            user: { name: vhpc }
            management: { count: 1, vcpu: 1, memoryMiB: 1024, diskGiB: 5 }
            workers: { count: {{workers}}, vcpu: 1, memoryMiB: 1024, diskGiB: 5{{(elastic is null ? "" : ", elastic: " + elastic)}} }
            vm: { accelerator: qemu, graphics: none }
            """);
        return yaml;
    }

    public void Dispose()
    {
        foreach (var directory in new[] { _stateRoot, _channelDirectory })
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the test wants events in order, at once.</summary>
    private sealed class SynchronousProgress(Action<ProgressEvent> handler) : IProgress<ProgressEvent>
    {
        private readonly Lock _lock = new();

        public void Report(ProgressEvent value)
        {
            lock (_lock)
            {
                handler(value);
            }
        }
    }
}
