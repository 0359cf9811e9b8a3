using System.Xml.Linq;
using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests.TestDriver;

public sealed class ConnectionTests
{
    [Tier(TestTier.Unit)]
    [Fact]
    public void Open_reports_uri_hostname_and_versions_and_closes_without_leftover_references()
    {
        var connection = TestDriverConnection.Open();

        Assert.Equal(TestDriverConnection.Uri, connection.Uri);
        Assert.False(string.IsNullOrEmpty(connection.Hostname));
        Assert.True(connection.LibVersion >= new Version(9, 0, 0), $"libvirt {connection.LibVersion}");
        Assert.True(connection.HypervisorVersion > new Version(0, 0, 0));
        Assert.True(connection.IsAlive);
        Assert.False(connection.IsReadOnly);
        Assert.Equal(0, connection.Close());
    }

    [Tier(TestTier.Unit)]
    [Fact]
    public void Close_twice_returns_the_same_result_and_object_calls_after_close_throw()
    {
        var connection = TestDriverConnection.Open();
        Assert.Equal(0, connection.Close());
        Assert.Equal(0, connection.Close());
        Assert.False(connection.IsAlive);
        Assert.Throws<ObjectDisposedException>(() => connection.Uri);
    }

    [Tier(TestTier.Unit)]
    [Fact]
    public void Close_reports_references_still_held_by_undisposed_objects()
    {
        var connection = TestDriverConnection.Open();
        var domain = connection.LookupDomain("test")!;

        Assert.Equal(1, connection.Close());
        domain.Dispose();
    }

    [Tier(TestTier.Unit)]
    [Fact]
    public void Read_only_connection_reads_but_cannot_define()
    {
        using var connection = TestDriverConnection.Open(readOnly: true);
        Assert.True(connection.IsReadOnly);
        using (var domain = connection.LookupDomain("test")!)
        {
            Assert.Equal("test", domain.Name);
        }

        var error = Assert.Throws<LibvirtException>(() => connection.DefineDomain(Support.Xml.TestDomain("vtb-ro")));
        Assert.Equal(ErrorCode.OperationDenied, error.Code);
        Assert.Equal(0, connection.Close());
    }

    [Tier(TestTier.Unit)]
    [Fact]
    public void Capabilities_and_domain_capabilities_are_libvirt_xml()
    {
        using var connection = TestDriverConnection.Open();

        var capabilities = XElement.Parse(connection.GetCapabilities());
        Assert.Equal("capabilities", capabilities.Name.LocalName);
        Assert.NotNull(capabilities.Element("host"));

        // The test driver does not implement domain capabilities: the call must surface NoSupport.
        var error = Assert.Throws<LibvirtException>(() => connection.GetDomainCapabilities());
        Assert.Equal(ErrorCode.NoSupport, error.Code);
        Assert.Equal("virConnectGetDomainCapabilities", error.Operation);
        Assert.Equal(0, connection.Close());
    }

    [Tier(TestTier.Unit)]
    [Fact]
    public void Keepalive_is_not_supported_by_a_local_driver()
    {
        using var connection = TestDriverConnection.Open();
        var error = Assert.Throws<LibvirtException>(() => connection.SetKeepAlive(5, 3));
        Assert.Equal(ErrorCode.NoSupport, error.Code);
        Assert.Equal(0, connection.Close());
    }

    // Only a daemon says "no driver for this URI" (NoConnect): without one the client cannot even ask.
    [Tier(TestTier.Libvirtd)]
    [Fact]
    public void Open_of_an_unknown_driver_throws_with_libvirts_error()
    {
        var error = Assert.Throws<LibvirtException>(() => Connection.Open("nosuchdriver:///x"));
        Assert.Equal(ErrorCode.NoConnect, error.Code);
        Assert.Equal("virConnectOpen", error.Operation);
        Assert.True(error.IsConnectionLost);
        Assert.Contains("nosuchdriver", error.Message, StringComparison.Ordinal);
    }

    [Tier(TestTier.Unit)]
    [Fact]
    public void The_event_loop_runs_once_a_connection_was_opened()
    {
        using var connection = TestDriverConnection.Open();
        Assert.True(EventLoop.IsRunning);
        Assert.Equal(0, connection.Close());
    }
}
