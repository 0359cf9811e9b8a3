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
        Assert.Equal([new ConfigurationHost("vhpc-m-01", "vhpc-m-01.vhpc.local", "192.168.123.2", HostRole.Management),
            new ConfigurationHost("vhpc-w-01", "vhpc-w-01.vhpc.local", "192.168.123.3", HostRole.Worker)], request.Hosts);
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
