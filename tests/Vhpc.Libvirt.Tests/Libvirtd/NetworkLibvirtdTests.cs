using System.Net;
using System.Xml.Linq;
using Vhpc.Libvirt.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests.Libvirtd;

[Collection(LibvirtdTestGroup.Name)]
[Tier(TestTier.Libvirtd)]
public sealed class NetworkLibvirtdTests(LibvirtdFixture fixture)
{
    [Fact]
    public void A_nat_network_is_defined_started_and_read_back()
    {
        var connection = fixture.Connection;
        var name = LibvirtdFixture.Prefix + "net";
        var network = connection.DefineNetwork(Xml.NatNetwork(name, "vtbt1", "10.201.1"));
        try
        {
            network.SetAutostart(true);
            network.Create();

            using var found = connection.LookupNetwork(name)!;
            Assert.True(found.IsActive);
            Assert.True(found.Autostart);
            Assert.Equal(network.Uuid, found.Uuid);

            var xml = XElement.Parse(found.GetXml());
            Assert.Equal("nat", (string?)xml.Element("forward")!.Attribute("mode"));
            Assert.Equal("vtbt1", (string?)xml.Element("bridge")!.Attribute("name"));
            Assert.Equal("10.201.1.1", (string?)xml.Element("ip")!.Attribute("address"));
            // libvirt fills in what the definition left out.
            Assert.NotNull(xml.Element("mac"));

            // No guest yet: a real, empty answer from dnsmasq's lease file.
            Assert.Empty(found.GetDhcpLeases());
            Assert.Empty(found.GetDhcpLeases("52:54:00:00:00:01"));

            // A fixed host entry, live and persistent at once.
            found.UpdateDhcpHost(NetworkUpdateCommand.AddLast, "52:54:00:20:01:0a", IPAddress.Parse("10.201.1.10"), "node1");
            var live = Assert.Single(XElement.Parse(found.GetXml()).Descendants("host"));
            var persistent = Assert.Single(XElement.Parse(found.GetXml(NetworkXmlFlags.Inactive)).Descendants("host"));
            Assert.Equal("10.201.1.10", (string?)live.Attribute("ip"));
            Assert.Equal("node1", (string?)persistent.Attribute("name"));
            found.UpdateDhcpHost(NetworkUpdateCommand.Delete, "52:54:00:20:01:0a", IPAddress.Parse("10.201.1.10"), "node1");
            Assert.Empty(XElement.Parse(found.GetXml(NetworkXmlFlags.Inactive)).Descendants("host"));

            found.SetAutostart(false);
            found.Destroy();
            Assert.False(network.IsActive);
            var error = Assert.Throws<LibvirtException>(network.Destroy);
            Assert.True(error.IsOperationInvalid, $"{error.Code}: {error.Message}");
        }
        finally
        {
            if (network.IsActive)
            {
                network.Destroy();
            }

            network.Undefine();
            network.Dispose();
        }

        Assert.Null(connection.LookupNetwork(name));
    }

    [Fact]
    public void Versions_capabilities_and_keepalive_of_the_real_daemon()
    {
        using var connection = Connection.Open(LibvirtdFixture.Uri);
        Assert.Equal(LibvirtdFixture.Uri, connection.Uri);
        Assert.True(connection.HypervisorVersion >= new Version(7, 0, 0), $"qemu {connection.HypervisorVersion}");
        Assert.True(connection.SetKeepAlive(5, 3));

        var capabilities = XElement.Parse(connection.GetCapabilities());
        Assert.Contains(capabilities.Descendants("arch"), a => (string?)a.Attribute("name") == "x86_64");
        var domainCapabilities = XElement.Parse(connection.GetDomainCapabilities(virtType: "qemu", arch: "x86_64"));
        Assert.Equal("qemu", (string?)domainCapabilities.Element("domain"));
        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void A_remote_uri_with_an_explicit_socket_reaches_the_same_daemon()
    {
        const string Remote = "qemu+unix:///system?socket=/run/libvirt/libvirt-sock";
        using var connection = Connection.Open(Remote);
        Assert.Equal(Remote, connection.Uri);
        Assert.Equal(fixture.Connection.Hostname, connection.Hostname);
        Assert.Equal(fixture.Connection.HypervisorVersion, connection.HypervisorVersion);
        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void A_read_only_connection_uses_the_read_only_socket()
    {
        using var connection = Connection.Open(LibvirtdFixture.Uri, readOnly: true);
        Assert.True(connection.IsAlive);
        var error = Assert.Throws<LibvirtException>(() => connection.DefineNetwork(Xml.NatNetwork(LibvirtdFixture.Prefix + "ro", "vtbt9", "10.201.9")));
        Assert.Equal(ErrorCode.OperationDenied, error.Code);
        Assert.Equal(0, connection.Close());
    }
}
