using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vhpc.Ansible;
using Vhpc.Engine.Tests.Spec;
using Vhpc.Guests;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Reconcile;

[Tier(TestTier.Unit)]
public class AnsibleClusterConfigurationTests
{
    private static readonly ClusterLayout Layout = ClusterLayout.From(SpecSamples.Spec(workers: 2));

    private static ClusterConfigurationRequest Request() => new(Layout.Spec, Layout,
        Layout.Nodes.Take(2).Select((n, i) => new ReadyNode(n, IPAddress.Parse($"192.168.123.{2 + i}"))).ToList(), new RecordingProgress());

    [Fact]
    public void The_ansible_request_uses_the_ready_nodes_and_the_clusters_state_directory()
    {
        var request = AnsibleClusterConfiguration.BuildRequest(Request(), "/var/lib/vhpc/clusters",
            new ClusterConfigurationOptions { PlaybookPath = "/p/site.yml", NetworkNamespace = "vhpc-test" });

        Assert.Equal("vhpc", request.ClusterName);
        // Every node is in the inventory (slurm.conf and /etc/hosts list them all); the run is limited to the ready ones.
        Assert.Equal([new ConfigurationHost("vhpc-m-01", "vhpc-m-01.vhpc.local", "192.168.123.2", HostRole.Management) { Vcpus = 2, MemoryMiB = 2048 },
            new ConfigurationHost("vhpc-w-01", "vhpc-w-01.vhpc.local", "192.168.123.3", HostRole.Worker) { Vcpus = 2, MemoryMiB = 2048 },
            new ConfigurationHost("vhpc-w-02", "vhpc-w-02.vhpc.local", Layout.Nodes[2].Address.ToString(), HostRole.Worker) { Vcpus = 2, MemoryMiB = 2048 }],
            request.Hosts);
        Assert.Equal(["vhpc-m-01", "vhpc-w-01"], request.Limit);
        Assert.Null(request.SuspendTimeSeconds);
        Assert.Equal("vhpc", request.User);
        Assert.Equal("/var/lib/vhpc/clusters/vhpc/munge.key", request.MungeKeyPath);
        Assert.Equal("/var/lib/vhpc/clusters/vhpc/known_hosts", request.KnownHostsPath);
        Assert.StartsWith("/var/lib/vhpc/clusters/vhpc/", request.PrivateKeyPath, StringComparison.Ordinal);
        Assert.Equal(("/p/site.yml", "vhpc-test"), (request.PlaybookPath, request.NetworkNamespace));
    }

    [Fact]
    public void Only_configured_hosts_succeed_and_a_missing_host_is_a_failure()
    {
        var result = new ConfigurationResult([new HostConfigurationResult("vhpc-m-01", HostOutcome.Configured, null, null),],
            [new PlaybookAttempt(1, [], 2, TimeSpan.FromSeconds(1), new PlaybookRunOutcome(1, new Dictionary<string, HostRunState>(), true))], TimeSpan.FromSeconds(1), "run");

        var mapped = AnsibleClusterConfiguration.MapResults(Request(), result);

        Assert.Equal([new NodeConfigurationResult("vhpc-m-01", true), new NodeConfigurationResult("vhpc-w-01", false, "ansible-playbook reported nothing for this node")], mapped);
    }

    [Fact]
    public async Task Configuration_runs_when_no_host_key_was_recorded_because_SSH_readiness_was_off()
    {
        // Guests.WaitForSsh = false records no host key, so there was no known_hosts and every node
        // failed with "KnownHostsPath ... does not exist" before ansible-playbook even ran.
        Configuration.AnsibleTools.Require("ansible-playbook", "ansible-core");
        var state = Directory.CreateTempSubdirectory("vte-known-hosts-");
        try
        {
            var services = new ServiceCollection()
                .AddLogging()
                .AddVhpcGuests(o => o.StateRoot = state.FullName)
                .AddVhpcAnsibleConfiguration(o => o.PlaybookPath = Configuration.RepositoryPaths.TestPlaybook("connection-local.yml"));
            await using var provider = services.BuildServiceProvider();
            var cluster = new Vhpc.Guests.State.ClusterStateDirectory(state.FullName, Layout.Cluster);
            Vhpc.Guests.Keys.ClusterKeyPair.Ensure(cluster.Path, "vte", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            Assert.False(File.Exists(cluster.KnownHostsPath));

            var results = await provider.GetRequiredService<IClusterConfiguration>().ConfigureAsync(Request(), CancellationToken.None);

            Assert.All(results, r => Assert.True(r.Succeeded, $"{r.Node}: {r.Error}"));
            Assert.Equal(0, new FileInfo(cluster.KnownHostsPath).Length);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cluster.KnownHostsPath));
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_product_wiring_resolves_an_engine_with_guests_and_ansible()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddVhpcEngine().AddVhpcGuests().AddVhpcAnsibleConfiguration();
        using var host = builder.Build();

        Assert.NotNull(host.Services.GetRequiredService<IClusterEngine>());
        Assert.IsType<AnsibleClusterConfiguration>(host.Services.GetRequiredService<IClusterConfiguration>());
        Assert.NotNull(host.Services.GetRequiredService<INodeReadiness>());
    }
}
