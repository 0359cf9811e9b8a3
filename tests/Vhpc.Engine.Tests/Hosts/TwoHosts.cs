using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vhpc.Ansible;
using Vhpc.Engine.Tests.Configuration;
using Vhpc.Guests;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Connections;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;
using Xunit.Abstractions;

namespace Vhpc.Engine.Tests.Hosts;

/// <summary>
/// Two libvirt hosts on one machine (issue 16): two private libvirtds, each in its own mount and network
/// namespace, each with a host bridge <see cref="Bridge"/>; a veth pair joins the two bridges (the "span"
/// an admin would make with a VLAN or a tunnel). A second veth pair puts this process's namespace
/// (vhpc-test, where the guests tier runs) on the same segment with the subnet's first address, so the
/// engine's fixed-address probes and status reach the guests of both hosts. Everything goes with the
/// namespaces on dispose; the one link left in this namespace is deleted by name.
/// </summary>
internal sealed class TwoHosts : IDisposable
{
    public const string Bridge = "vtf-span";

    private readonly string _probeLink;

    private TwoHosts(PrivateLibvirtd first, PrivateLibvirtd second, int octet, string suffix)
    {
        First = first;
        Second = second;
        Octet = octet;
        _probeLink = $"vtp{suffix}";
    }

    public PrivateLibvirtd First { get; }

    public PrivateLibvirtd Second { get; }

    /// <summary>Third octet of the cluster's 10.219.N.0/24: one no route of this namespace uses.</summary>
    public int Octet { get; }

    public string Cidr => string.Create(CultureInfo.InvariantCulture, $"10.219.{Octet}.0/24");

    public static TwoHosts Start()
    {
        // The probes reach the guests over TCP: that must stay inside the sandbox namespace.
        TestEnvironment.RequireInsideNetworkNamespace();
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var octet = FreeOctet();
        PrivateLibvirtd? first = null;
        PrivateLibvirtd? second = null;
        try
        {
            first = PrivateLibvirtd.Start();
            second = PrivateLibvirtd.Start();
            var hosts = new TwoHosts(first, second, octet, suffix);
            foreach (var host in new[] { first, second })
            {
                host.RunInNetworkNamespace("ip", "link", "add", Bridge, "type", "bridge");
                host.RunInNetworkNamespace("ip", "link", "set", Bridge, "up");
            }

            // The span: one veth pair, an end on each host's bridge.
            Ip("link", "add", $"vta{suffix}", "type", "veth", "peer", "name", $"vtb{suffix}");
            Join(first, $"vta{suffix}");
            Join(second, $"vtb{suffix}");

            // This namespace on the segment: its end keeps the subnet's first address (no node has it).
            Ip("link", "add", hosts._probeLink, "type", "veth", "peer", "name", $"vtq{suffix}");
            Join(first, $"vtq{suffix}");
            Ip("addr", "add", string.Create(CultureInfo.InvariantCulture, $"10.219.{octet}.1/24"), "dev", hosts._probeLink);
            Ip("link", "set", hosts._probeLink, "up");
            return hosts;
        }
        catch
        {
            second?.Dispose();
            first?.Dispose();
            Ip(false, "link", "del", $"vtp{suffix}");
            Ip(false, "link", "del", $"vta{suffix}");
            throw;
        }
    }

    /// <summary>A 1 + <paramref name="workers"/> tiny cluster over both hosts in bridge mode, as a file (the crash harness loads it) and a validated spec.</summary>
    /// <param name="budget">vCPUs (and 256 MiB per vCPU) each host allows the cluster.</param>
    /// <param name="keyFile">Give the cluster a public key file (the crash harness has no guests layer to generate a key pair); the engine with guests generates one.</param>
    public async Task<(string Path, ClusterSpec Spec)> WriteSpecAsync(string directory, string name, int workers, int budget, bool keyFile = false)
    {
        var tiny = TestEnvironment.TinyImages;
        foreach (var file in new[] { "vmlinuz", "initrd.img" })
        {
            Assert.True(File.Exists(Path.Combine(tiny, file)), $"{tiny}/{file} is missing: build it with deploy/image/build-tiny.sh (as root)");
        }

        var image = Path.Combine(directory, "base.qcow2");
        var raw = Path.Combine(directory, "base.raw");
        await File.WriteAllBytesAsync(raw, RandomNumberGenerator.GetBytes(4 << 20));
        var convert = ProcessRunner.Run("qemu-img", ["convert", "-q", "-f", "raw", "-O", "qcow2", raw, image]);
        Assert.True(convert.ExitCode == 0, $"qemu-img failed: {convert.Error}; install qemu-utils (tests/env/up.sh does)");
        File.Delete(raw);
        var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(image)));
        var key = Path.Combine(directory, "id.pub");
        await File.WriteAllTextAsync(key, "ssh-ed25519 " + Convert.ToBase64String(RandomNumberGenerator.GetBytes(51)) + " vtf\n");
        return await WriteAsync(directory, name, budget, budget * 256,
            $"{{ source: {image}, sha256: {sha}, osFamily: Debian, boot: {{ kernel: {tiny}/vmlinuz, initrd: {tiny}/initrd.img, cmdline: \"console=ttyS0\" }} }}",
            $"{{ name: vhpc{(keyFile ? ", sshPublicKeyFile: " + key : "")} }}",
            "{ count: 1, vcpu: 1, memoryMiB: 256, diskGiB: 1 }",
            $"{{ count: {workers}, vcpu: 1, memoryMiB: 256, diskGiB: 1 }}");
    }

    /// <summary>
    /// A 1 + <paramref name="workers"/> cluster of the real role image (deploy/image/build-image.sh, as the
    /// e2e tier boots it) over both hosts in bridge mode: 1 vCPU and 1024 MiB per node, as the e2e's nodes,
    /// and a budget of two such nodes per host.
    /// </summary>
    public Task<(string Path, ClusterSpec Spec)> WriteImageSpecAsync(string directory, string name, int workers)
    {
        // The resolved directory: a rebuild meanwhile must not change the image under a running test.
        var images = new DirectoryInfo(TestEnvironment.GuestImages).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? TestEnvironment.GuestImages;
        foreach (var file in new[] { "root.qcow2", "root.qcow2.sha256", "vmlinuz", "initrd.img" })
        {
            Assert.True(File.Exists(Path.Combine(images, file)), $"{images}/{file} is missing: build it with deploy/image/build-image.sh (as root)");
        }

        // build-image.sh computes the checksum once; vhpcd checks the upload against it as always.
        var sha = File.ReadAllText(Path.Combine(images, "root.qcow2.sha256")).Split(' ', 2)[0];
        return WriteAsync(directory, name, 2, 2 * 1024,
            $"{{ source: {images}/root.qcow2, sha256: {sha}, osFamily: Debian, boot: {{ kernel: {images}/vmlinuz, initrd: {images}/initrd.img, "
                + "cmdline: \"root=/dev/vda rw console=ttyS0 net.ifnames=0 no_timer_check\" } }",
            "{ name: vhpc }",
            "{ count: 1, vcpu: 1, memoryMiB: 1024, diskGiB: 5 }",
            $"{{ count: {workers}, vcpu: 1, memoryMiB: 1024, diskGiB: 5 }}");
    }

    /// <summary>The spec over h1 and h2 (each allowing <paramref name="vcpus"/> and <paramref name="memoryMiB"/>), spread, bridge mode on <see cref="Bridge"/>; the blocks are YAML flow mappings.</summary>
    private async Task<(string Path, ClusterSpec Spec)> WriteAsync(string directory, string name, int vcpus, int memoryMiB,
        string image, string user, string management, string workers)
    {
        var yaml = string.Create(CultureInfo.InvariantCulture, $$"""
            name: {{name}}
            domain: vtf.test
            hosts:
              - { name: h1, connect: "{{First.QemuUri}}", vcpus: {{vcpus}}, memoryMiB: {{memoryMiB}} }
              - { name: h2, connect: "{{Second.QemuUri}}", vcpus: {{vcpus}}, memoryMiB: {{memoryMiB}} }
            placement: { policy: spread }
            image: {{image}}
            pool: { name: {{name}}, path: /var/lib/libvirt/images/{{name}} }
            network: { name: {{name}}-net, mode: bridge, bridge: {{Bridge}}, cidr: {{Cidr}} }
            user: {{user}}
            management: {{management}}
            workers: {{workers}}
            vm: { accelerator: qemu, graphics: none }
            """);
        var path = Path.Combine(directory, "cluster.yaml");
        await File.WriteAllTextAsync(path, yaml);
        var loaded = ClusterSpecLoader.LoadFile(path);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        return (path, loaded.Spec!);
    }

    /// <summary>The engine as vhpcd composes it, with lease-only readiness (the tiny guest has no sshd) and a short reconnect budget.</summary>
    public static ServiceProvider Engine(string stateRoot, CapturingLoggerProvider logs, int reconnectAttempts) =>
        Compose(stateRoot, logs, reconnectAttempts, slurm: false);

    /// <summary>
    /// The engine as vhpcd composes it for the role image: full readiness (fixed address, SSH, cloud-init
    /// done) and the Ansible configuration (deploy/ansible/site.yml of this checkout), run from this
    /// process's namespace, which reaches the guests of both hosts over the probe veth.
    /// </summary>
    public static ServiceProvider SlurmEngine(string stateRoot, CapturingLoggerProvider logs) =>
        Compose(stateRoot, logs, reconnectAttempts: 10, slurm: true);

    private static ServiceProvider Compose(string stateRoot, CapturingLoggerProvider logs, int reconnectAttempts, bool slurm)
    {
        var services = new ServiceCollection().AddLogging(b => b.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        services.AddLibvirtConnections(o =>
        {
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(200);
            o.RetryMaxDelay = TimeSpan.FromSeconds(1);
            o.MaxRetryAttempts = reconnectAttempts;
        });
        services.AddVhpcEngine();
        services.AddVhpcGuests(o =>
        {
            o.StateRoot = stateRoot;
            if (slurm)
            {
                // The e2e tier's bounds: four TCG guests of the role image on 2 cores, maybe beside other load.
                o.LeaseTimeout = TimeSpan.FromMinutes(12);
                o.Ssh.Timeout = TimeSpan.FromMinutes(15);
            }
            else
            {
                o.LeaseTimeout = TimeSpan.FromSeconds(150);
                o.WaitForSsh = false;
            }
        });
        if (slurm)
        {
            // The test process already runs inside the namespace, so ansible-playbook needs no `ip netns exec`.
            services.AddVhpcAnsibleConfiguration(o => o.PlaybookPath = RepositoryPaths.SitePlaybook);
        }

        return services.BuildServiceProvider();
    }

    /// <summary>Names of the cluster's objects on one host: domains (with "running"), networks, pools and their volumes.</summary>
    public static List<string> Census(PrivateLibvirtd host, ClusterLayout layout)
    {
        var found = new List<string>();
        using var connection = Connection.Open(host.QemuUri);
        foreach (var domain in connection.ListDomains())
        {
            using (domain)
            {
                if (domain.Name.StartsWith(layout.Cluster, StringComparison.Ordinal))
                {
                    found.Add($"domain {domain.Name}{(domain.IsActive ? " running" : "")}");
                }
            }
        }

        foreach (var network in connection.ListNetworks())
        {
            using (network)
            {
                if (network.Name.StartsWith(layout.Cluster, StringComparison.Ordinal))
                {
                    found.Add($"network {network.Name}");
                }
            }
        }

        foreach (var pool in connection.ListStoragePools())
        {
            using (pool)
            {
                if (pool.Name.StartsWith(layout.Cluster, StringComparison.Ordinal))
                {
                    found.Add($"pool {pool.Name}");
                    if (pool.IsActive)
                    {
                        pool.Refresh();
                        found.AddRange(pool.ListVolumes().Select(v =>
                        {
                            using (v)
                            {
                                return $"volume {v.Name}";
                            }
                        }));
                    }
                }
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }

    public void Dispose()
    {
        Ip(false, "link", "del", _probeLink);
        Second.Dispose();
        First.Dispose();
    }

    private static void Join(PrivateLibvirtd host, string link)
    {
        host.AdoptLink(link);
        host.RunInNetworkNamespace("ip", "link", "set", link, "master", Bridge);
        host.RunInNetworkNamespace("ip", "link", "set", link, "up");
    }

    private static void Ip(params string[] arguments) => Ip(true, arguments);

    private static void Ip(bool check, params string[] arguments)
    {
        var run = ProcessRunner.Run("ip", arguments);
        if (check)
        {
            Assert.True(run.ExitCode == 0, $"ip {string.Join(' ', arguments)} failed: {run.Error}");
        }
    }

    private static int FreeOctet()
    {
        var routes = ProcessRunner.Run("ip", ["-4", "route", "show"]).Output;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var octet = RandomNumberGenerator.GetInt32(1, 250);
            if (!routes.Contains(string.Create(CultureInfo.InvariantCulture, $"10.219.{octet}."), StringComparison.Ordinal)
                && !routes.Contains("10.219.0.0/16", StringComparison.Ordinal))
            {
                return octet;
            }
        }

        throw new InvalidOperationException("no free 10.219.N.0/24 in this namespace's routes");
    }
}
