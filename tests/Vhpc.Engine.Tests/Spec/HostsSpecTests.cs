using Vhpc.Spec;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Spec;

/// <summary>Issue 16, the spec of a cluster over several libvirt hosts: hosts, placement and the bridge-mode network.</summary>
[Tier(TestTier.Unit)]
public class HostsSpecTests
{
    /// <summary>The sample spec with connect replaced by two hosts and a bridge-mode network (line numbers below count from 1).</summary>
    public const string Yaml = """
        name: vhpc
        domain: vhpc.local
        hosts:
          - name: h1
            connect: qemu+ssh://root@h1.example/system
            vcpus: 8
            memoryMiB: 16384
          - { name: h2, connect: qemu+tls://h2.example/system, vcpus: 8, memoryMiB: 16384 }
        placement: { policy: spread, management: h2 }
        image: { source: /var/lib/vhpc/images/debian-12.qcow2, sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, osFamily: Debian }
        network:
          mode: bridge
          bridge: br-span
          cidr: 10.40.0.0/24
          gateway: 10.40.0.1
          dns: [10.40.0.1, 10.40.0.254]
        user: { name: vhpc }
        workers: { count: 3, vcpu: 2, memoryMiB: 2048, diskGiB: 20 }
        """;

    [Fact]
    public void Hosts_placement_and_a_bridge_network_load()
    {
        var spec = Load(Yaml);

        Assert.Equal([new HostSpec("h1", "qemu+ssh://root@h1.example/system", 8, 16384), new HostSpec("h2", "qemu+tls://h2.example/system", 8, 16384)], spec.Hosts);
        Assert.Equal(spec.Hosts, spec.LibvirtHosts);
        Assert.Equal(new PlacementSpec(PlacementPolicy.Spread, "h2"), spec.Placement);
        Assert.Equal(NetworkMode.Bridge, spec.Network.Mode);
        Assert.Equal("br-span", spec.Network.Bridge);
        Assert.Equal("10.40.0.1", spec.Network.Gateway);
        Assert.Equal(["10.40.0.1", "10.40.0.254"], spec.Network.Nameservers);
    }

    [Fact]
    public void The_single_host_form_is_unchanged_and_names_its_host_after_the_uri()
    {
        var spec = Load(SpecSamples.Yaml);

        Assert.Empty(spec.Hosts);
        Assert.Equal(PlacementSpec.Default, spec.Placement);
        Assert.Equal(NetworkMode.Nat, spec.Network.Mode);
        Assert.Equal([new HostSpec("local", "qemu:///system", null, null)], spec.LibvirtHosts);
        Assert.Equal("node7", HostSpec.ForConnect("qemu+ssh://root@node7/system").Name);
        Assert.Equal("local", HostSpec.ForConnect("test:///default").Name);
    }

    [Fact]
    public void Connect_and_hosts_together_are_refused_at_the_hosts_list()
    {
        var errors = Errors(Yaml.Replace("domain: vhpc.local\n", "domain: vhpc.local\nconnect: qemu:///system\n", StringComparison.Ordinal));

        Assert.Contains("spec.yaml:5:3: hosts: give either connect (one libvirt host) or hosts (several, each with its own connect), not both", errors);
    }

    [Theory]
    [InlineData("placement: { policy: scatter }", "spec.yaml:9:22: placement.policy: 'scatter' must be one of spread, pack")]
    [InlineData("placement: { management: h3 }", "spec.yaml:9:26: placement.management: 'h3' is not a host of this spec; hosts: h1, h2")]
    public void Wrong_placement_fields_are_named_with_their_position(string line, string expected)
    {
        var errors = Errors(Yaml.Replace("placement: { policy: spread, management: h2 }", line, StringComparison.Ordinal));

        Assert.Contains(expected, errors);
    }

    [Fact]
    public void Host_errors_name_the_list_element_and_its_line()
    {
        var yaml = Yaml
            .Replace("  - { name: h2, connect: qemu+tls://h2.example/system, vcpus: 8, memoryMiB: 16384 }",
                "  - { name: h1, connect: qemu+ssh://root@h1.example/system, memoryMiB: 100, cpus: 4 }", StringComparison.Ordinal);

        var errors = Errors(yaml);

        // Values where they are written; a missing field at its element.
        Assert.Contains("spec.yaml:8:13: hosts[1].name: 'h1' is already the name of hosts[0]", errors);
        Assert.Contains("spec.yaml:8:26: hosts[1].connect: 'qemu+ssh://root@h1.example/system' is already the URI of hosts[0]", errors);
        Assert.Contains("spec.yaml:8:5: hosts[1].vcpus: is required", errors);
        Assert.Contains("spec.yaml:8:72: hosts[1].memoryMiB: must be between 256 and 16777216 (is 100)", errors);
        Assert.Contains(errors, e => e.StartsWith("spec.yaml:8:77: hosts[1].cpus: unknown key", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("hosts: qemu:///system", "hosts: must be a list (lines starting with '- ')")]
    [InlineData("hosts: []", "hosts: must list at least one host (or leave hosts out and use connect)")]
    [InlineData("hosts: [ h1 ]", "hosts[0]: must be a mapping with name, connect, vcpus and memoryMiB")]
    [InlineData("hosts: [ { name: H1, connect: 'qemu:///system', vcpus: 1, memoryMiB: 512 } ]", "hosts[0].name: 'H1' is not an RFC 1123 label")]
    [InlineData("hosts: [ { name: h1, connect: 'http://x/system', vcpus: 1, memoryMiB: 512 } ]", "hosts[0].connect: scheme 'http' is not allowed")]
    [InlineData("hosts: [ { name: h1, connect: 'qemu:///system', vcpus: 0, memoryMiB: 512 } ]", "hosts[0].vcpus: must be between 1 and 4096 (is 0)")]
    public void Malformed_hosts_are_rejected_with_the_field(string hosts, string expected)
    {
        var yaml = SpecSamples.Without("connect") + "\n" + hosts + "\n";

        Assert.Contains(Errors(yaml), e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Several_hosts_need_the_bridge_mode_and_the_bridge_mode_needs_a_bridge()
    {
        var nat = Yaml.Replace("  mode: bridge\n", "", StringComparison.Ordinal)
            .Replace("  gateway: 10.40.0.1\n  dns: [10.40.0.1, 10.40.0.254]\n", "", StringComparison.Ordinal);
        Assert.Contains(Errors(nat), e => e.Contains("network.mode: a cluster over 2 hosts needs mode: bridge", StringComparison.Ordinal));

        var noBridge = Yaml.Replace("  bridge: br-span\n", "", StringComparison.Ordinal);
        Assert.Contains(Errors(noBridge), e => e.Contains("network.bridge: is required with mode: bridge", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("gateway: 10.41.0.1", "network.gateway: 10.41.0.1 is not a host address of 10.40.0.0/24")]
    [InlineData("gateway: 10.40.0.2", "network.gateway: 10.40.0.2 is the fixed address of node vhpc-m-01")]
    [InlineData("gateway: 10.40.0.255", "network.gateway: 10.40.0.255 is not a host address of 10.40.0.0/24")]
    [InlineData("gateway: gw", "network.gateway: 'gw' is not an IPv4 address like 10.0.0.1")]
    public void A_gateway_is_a_free_address_of_the_cidr(string line, string expected)
    {
        var yaml = Yaml.Replace("gateway: 10.40.0.1", line, StringComparison.Ordinal);

        Assert.Contains(Errors(yaml), e => e.EndsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Dns_servers_are_ipv4_addresses_and_neither_dns_nor_gateway_go_with_nat()
    {
        var bad = Errors(Yaml.Replace("dns: [10.40.0.1, 10.40.0.254]", "dns: [10.40.0.1, dns.example, 1.1.1.1, 8.8.8.8]", StringComparison.Ordinal));
        Assert.Contains(bad, e => e.EndsWith("network.dns: lists 4 servers; give 1 to 3 (or leave dns out)", StringComparison.Ordinal));
        Assert.Contains(bad, e => e.EndsWith("network.dns[1]: 'dns.example' is not an IPv4 address like 10.0.0.1", StringComparison.Ordinal));

        var nat = Errors(SpecSamples.With("network", "{ name: vhpc-net, cidr: 192.168.123.0/24, gateway: 192.168.123.1, dns: [192.168.123.1] }"));
        Assert.Contains(nat, e => e.EndsWith("network.gateway: only with mode: bridge (the NAT network's gateway is its first address, which libvirt takes)", StringComparison.Ordinal));
        Assert.Contains(nat, e => e.EndsWith("network.dns: only with mode: bridge (the NAT network answers DNS itself)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_cluster_bigger_than_all_hosts_together_is_refused_with_the_numbers()
    {
        var yaml = Yaml.Replace("workers: { count: 3, vcpu: 2, memoryMiB: 2048, diskGiB: 20 }", "workers: { count: 8, vcpu: 2, memoryMiB: 2048, diskGiB: 20 }", StringComparison.Ordinal);

        Assert.Contains(Errors(yaml), e => e.EndsWith("hosts: the nodes need 18 vCPUs and 18432 MiB, the hosts allow 16 vCPUs and 32768 MiB in all", StringComparison.Ordinal));
    }

    [Fact]
    public void Placement_needs_a_hosts_list()
    {
        var errors = Errors(SpecSamples.With("placement", "{ management: local }"));

        Assert.Contains(errors, e => e.EndsWith("placement.management: names a host of the hosts list, and this spec has none (it uses connect)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bridge_network_on_one_host_is_allowed()
    {
        var spec = Load(SpecSamples.With("network", "{ mode: bridge, bridge: br0, cidr: 192.168.50.0/24 }"));

        Assert.Equal(NetworkMode.Bridge, spec.Network.Mode);
        Assert.Null(spec.Network.Gateway);
        Assert.Equal("local", Assert.Single(spec.LibvirtHosts).Name);
    }

    private static ClusterSpec Load(string yaml)
    {
        var result = ClusterSpecLoader.Parse(yaml, "spec.yaml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Spec!;
    }

    private static List<string> Errors(string yaml)
    {
        var result = ClusterSpecLoader.Parse(yaml, "spec.yaml");
        Assert.False(result.IsValid, "the spec was accepted");
        return result.Errors.Select(e => e.ToString()).ToList();
    }
}
