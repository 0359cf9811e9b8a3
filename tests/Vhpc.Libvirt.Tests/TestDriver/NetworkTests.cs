using System.Net;
using System.Xml.Linq;
using Vhpc.Libvirt.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests.TestDriver;

[Tier(TestTier.Unit)]
public sealed class NetworkTests
{
    [Fact]
    public void Define_start_autostart_read_back_stop_undefine()
    {
        var connection = TestDriverConnection.Open();
        var name = Names.Unique("net");
        using (var network = connection.DefineNetwork(Xml.NatNetwork(name, "vtbtd0", "10.201.250")))
        {
            Assert.Equal(name, network.Name);
            Assert.False(network.IsActive);
            network.SetAutostart(true);
            Assert.True(network.Autostart);
            network.Create();
            Assert.True(network.IsActive);

            using var found = connection.LookupNetwork(name)!;
            Assert.Equal(network.Uuid, found.Uuid);
            var all = connection.ListNetworks();
            Assert.Contains(all, n => n.Name == name);
            foreach (var n in all)
            {
                n.Dispose();
            }

            var xml = XElement.Parse(network.GetXml());
            Assert.Equal("nat", (string?)xml.Element("forward")!.Attribute("mode"));
            Assert.Equal("10.201.250.1", (string?)xml.Element("ip")!.Attribute("address"));

            network.SetAutostart(false);
            network.Destroy();
            Assert.False(network.IsActive);
            network.Undefine();
        }

        Assert.Null(connection.LookupNetwork(name));
        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void Dhcp_host_entries_are_added_modified_and_deleted()
    {
        var connection = TestDriverConnection.Open();
        using (var network = connection.DefineNetwork(Xml.NatNetwork(Names.Unique("dh"), "vtbtd1", "10.201.251")))
        {
            network.Create();
            const string Mac = "52:54:00:20:11:05";
            network.UpdateDhcpHost(NetworkUpdateCommand.AddLast, Mac, IPAddress.Parse("10.201.251.5"), "node0");
            var host = Assert.Single(XElement.Parse(network.GetXml()).Descendants("host"));
            Assert.Equal(Mac, (string?)host.Attribute("mac"));
            Assert.Equal("10.201.251.5", (string?)host.Attribute("ip"));
            Assert.Equal("node0", (string?)host.Attribute("name"));

            network.UpdateDhcpHost(NetworkUpdateCommand.Modify, Mac, IPAddress.Parse("10.201.251.6"), "node1");
            host = Assert.Single(XElement.Parse(network.GetXml()).Descendants("host"));
            Assert.Equal("10.201.251.6", (string?)host.Attribute("ip"));

            network.UpdateDhcpHost(NetworkUpdateCommand.Delete, Mac, IPAddress.Parse("10.201.251.6"), "node1");
            Assert.Empty(XElement.Parse(network.GetXml()).Descendants("host"));

            network.Destroy();
            network.Undefine();
        }

        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void Dhcp_leases_are_not_implemented_by_the_test_driver()
    {
        var connection = TestDriverConnection.Open();
        using (var network = connection.LookupNetwork("default")!)
        {
            var error = Assert.Throws<LibvirtException>(() => network.GetDhcpLeases());
            Assert.Equal(ErrorCode.NoSupport, error.Code);
        }

        Assert.Equal(0, connection.Close());
    }
}
