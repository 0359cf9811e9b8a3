using System.Xml.Linq;
using Vhpc.Libvirt.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests.TestDriver;

[Tier(TestTier.Unit)]
public sealed class DomainTests
{
    [Fact]
    public void Define_lookup_list_start_stop_undefine_round_trip()
    {
        var connection = TestDriverConnection.Open();
        var name = Names.Unique("dom");
        using (var defined = connection.DefineDomain(Xml.TestDomain(name)))
        {
            Assert.Equal(name, defined.Name);
            Assert.False(defined.IsActive);
            Assert.Equal(DomainState.Shutoff, defined.GetState());

            using var found = connection.LookupDomain(name)!;
            Assert.Equal(defined.Uuid, found.Uuid);
            Assert.NotEqual(Guid.Empty, found.Uuid);

            var all = connection.ListDomains();
            try
            {
                Assert.Contains(all, d => d.Name == name);
                Assert.Contains(all, d => d.Name == "test");
            }
            finally
            {
                foreach (var d in all)
                {
                    d.Dispose();
                }
            }

            defined.Create();
            Assert.True(defined.IsActive);
            Assert.Equal(DomainState.Running, defined.GetState());

            defined.Shutdown();
            Assert.Equal(DomainState.Shutoff, defined.GetState());

            defined.Create();
            defined.Destroy();
            Assert.False(defined.IsActive);

            defined.Undefine(DomainUndefineFlags.None);
        }

        Assert.Null(connection.LookupDomain(name));
        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void Xml_round_trip_keeps_name_memory_and_uuid()
    {
        var connection = TestDriverConnection.Open();
        var name = Names.Unique("xml");
        using (var domain = connection.DefineDomain(Xml.TestDomain(name, memoryMiB: 96)))
        {
            var xml = XElement.Parse(domain.GetXml());
            Assert.Equal(name, (string?)xml.Element("name"));
            Assert.Equal(96 * 1024, (long)xml.Element("memory")!);
            Assert.Equal(domain.Uuid, Guid.Parse((string)xml.Element("uuid")!));

            // Redefining with the XML libvirt produced changes nothing.
            using var redefined = connection.DefineDomain(xml.ToString());
            Assert.Equal(domain.Uuid, redefined.Uuid);
            Assert.Equal(XElement.Parse(domain.GetXml(DomainXmlFlags.Inactive)).ToString(),
                XElement.Parse(redefined.GetXml(DomainXmlFlags.Inactive)).ToString());
            domain.Undefine();
        }

        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void Metadata_element_title_and_description_round_trip()
    {
        var connection = TestDriverConnection.Open();
        const string Ns = "https://vhpc.example/cluster/1";
        using (var domain = connection.DefineDomain(Xml.TestDomain(Names.Unique("meta"))))
        {
            Assert.Null(domain.GetMetadata(DomainMetadataType.Element, Ns));
            Assert.Null(domain.GetMetadata(DomainMetadataType.Title));

            var element = new XElement("cluster", new XAttribute("name", "c1"), new XAttribute("role", "worker"));
            domain.SetMetadata(DomainMetadataType.Element, element.ToString(), "vhpc", Ns, DomainModificationImpact.Config);
            domain.SetMetadata(DomainMetadataType.Title, "a title");
            domain.SetMetadata(DomainMetadataType.Description, "a <description> & more");

            var read = XElement.Parse(domain.GetMetadata(DomainMetadataType.Element, Ns)!);
            Assert.Equal("cluster", read.Name.LocalName);
            Assert.Equal("worker", (string?)read.Attribute("role"));
            Assert.Equal("a title", domain.GetMetadata(DomainMetadataType.Title));
            Assert.Equal("a <description> & more", domain.GetMetadata(DomainMetadataType.Description));

            domain.SetMetadata(DomainMetadataType.Element, null, null, Ns);
            Assert.Null(domain.GetMetadata(DomainMetadataType.Element, Ns));
            domain.Undefine();
        }

        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void Interface_addresses_of_the_test_driver_are_parsed()
    {
        var connection = TestDriverConnection.Open();
        using (var domain = connection.LookupDomain("test")!)
        {
            var interfaces = domain.GetInterfaceAddresses(InterfaceAddressSource.Lease);
            var nic = Assert.Single(interfaces);
            Assert.Matches("^[0-9a-f]{2}(:[0-9a-f]{2}){5}$", nic.HardwareAddress);
            var address = Assert.Single(nic.Addresses);
            Assert.Equal(IPAddressType.IPv4, address.Type);
            Assert.Equal(System.Net.Sockets.AddressFamily.InterNetwork, address.Address.AddressFamily);
            Assert.InRange(address.Prefix, 1, 32);
        }

        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void Operations_on_a_stopped_domain_map_to_operation_invalid()
    {
        var connection = TestDriverConnection.Open();
        using (var domain = connection.DefineDomain(Xml.TestDomain(Names.Unique("inv"))))
        {
            var error = Assert.Throws<LibvirtException>(domain.Destroy);
            Assert.True(error.IsOperationInvalid, $"{error.Code}: {error.Message}");
            Assert.Equal(ErrorLevel.Error, error.Level);
            domain.Undefine();
        }

        Assert.Equal(0, connection.Close());
    }

    [Fact]
    public void Invalid_xml_is_rejected_with_libvirts_message()
    {
        using var connection = TestDriverConnection.Open();
        var error = Assert.Throws<LibvirtException>(() => connection.DefineDomain("<domain type='test'><name>x"));
        Assert.Equal(ErrorCode.XmlDetail, error.Code);
        Assert.Equal("virDomainDefineXML", error.Operation);
        Assert.Equal(0, connection.Close());
    }
}
