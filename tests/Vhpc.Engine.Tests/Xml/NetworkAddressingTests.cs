using Vhpc.Provisioning.Xml;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Xml;

/// <summary>Reading any libvirt network's bridge and IPv4 subnets (not only vhpc's own), for the host-network conflict check.</summary>
[Tier(TestTier.Unit)]
public sealed class NetworkAddressingTests
{
    [Fact]
    public void Netmask_and_prefix_forms_are_read_ipv6_and_unreadable_addresses_are_left_out()
    {
        const string xml = """
            <network>
              <name>lab</name>
              <bridge name='virbr5' stp='on' delay='0'/>
              <ip address='192.168.100.1' netmask='255.255.255.0'/>
              <ip address='10.20.30.40' prefix='20'/>
              <ip family='ipv4' address='172.16.0.1' prefix='12'/>
              <ip family='ipv6' address='fd00::1' prefix='64'/>
              <ip address='10.9.9.1' netmask='255.0.255.0'/>
              <ip address='not-an-address' prefix='24'/>
            </network>
            """;

        var (bridge, subnets) = NetworkXml.ParseAddressing(xml);

        Assert.Equal("virbr5", bridge);
        Assert.Equal(["192.168.100.0/24", "10.20.16.0/20", "172.16.0.0/12"], subnets.Select(s => s.ToString()));
    }

    [Fact]
    public void An_isolated_network_without_addresses_or_bridge_has_none()
    {
        var (bridge, subnets) = NetworkXml.ParseAddressing("<network><name>iso</name></network>");
        Assert.Null(bridge);
        Assert.Empty(subnets);
    }
}
