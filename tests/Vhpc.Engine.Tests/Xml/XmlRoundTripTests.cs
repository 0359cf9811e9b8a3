using Vhpc.Engine.Tests.Reconcile;
using Vhpc.Engine.Tests.Spec;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Xml;

/// <summary>The builders' XML through libvirt's own parsers (define, read back, compare what matters).</summary>
[Collection(TestDriverState.Name)]
public class XmlRoundTripTests
{
    [Tier(TestTier.Unit)]
    [Fact]
    public void Pool_network_volumes_and_domain_survive_libvirts_parser_on_the_test_driver()
    {
        using var connection = Connection.Open("test:///default");
        var spec = SpecSamples.Spec(name: $"vte-x{Environment.ProcessId % 1000}", cidr: "10.202.9.0/24", connect: "test:///default") with
        {
            Image = SpecSamples.Spec().Image with { Boot = new DirectKernelBootSpec("/boot/vmlinuz", "/boot/initrd.img", "root=/dev/vda rw console=ttyS0") },
        };
        var layout = ClusterLayout.From(spec);
        var node = layout.Nodes[1];

        using var pool = connection.DefineStoragePool(PoolXml.Build(layout));
        pool.Build();
        pool.Create();
        using var network = connection.DefineNetwork(NetworkXml.Build(layout));
        try
        {
            Assert.Equal(layout.PoolUuid, pool.Uuid);
            Assert.Equal((layout.PoolUuid, "dir", layout.PoolPath), PoolXml.Parse(pool.GetXml()));
            Assert.Equal(layout.NetworkUuid, network.Uuid);
            var definition = NetworkXml.Parse(network.GetXml());
            Assert.Equal(new NetworkDefinition(layout.NetworkUuid, "nat", layout.BridgeName, spec.Domain, layout.Gateway.ToString(),
                "255.255.255.0", layout.DhcpRangeStart.ToString(), layout.DhcpRangeEnd.ToString(), Array.Empty<DhcpHost>()), definition with { Hosts = Array.Empty<DhcpHost>() });
            Assert.Equal(NetworkXml.DesiredHosts(layout), definition.Hosts);

            using var baseVolume = pool.CreateVolume(VolumeXml.Build(layout.BaseVolumeName, 1 << 20, "raw"));
            using var overlay = pool.CreateVolume(VolumeXml.BuildOverlay(node.OverlayVolume, 20L << 30, baseVolume.Path, "qcow2"));
            using var seed = pool.CreateVolume(VolumeXml.Build(node.SeedVolume, 4096, "raw"));
            Assert.Equal(baseVolume.Path, VolumeXml.ParseBackingPath(overlay.GetXml()));
            Assert.Equal(20UL << 30, overlay.GetInfo().Capacity);

            var platform = new HostPlatform(DomainType.Test, null, null, "test driver");
            using var domain = connection.DefineDomain(DomainXml.Build(layout, node, platform, overlay.Path, seed.Path, "/var/lib/libvirt/images/x-serial.log"));
            try
            {
                var xml = domain.GetXml();
                Assert.Equal(new NodeMark(layout.Cluster, node.Name, node.Role, node.Index, node.SpecHash, node.DiskHash), NodeMark.FromDomainXml(xml));
                Assert.Equal([overlay.Path, seed.Path], DomainXml.ParseDiskPaths(xml));
                var root = System.Xml.Linq.XElement.Parse(xml);
                var devices = root.Element("devices")!;
                Assert.Equal("sata", (string?)devices.Elements("disk").Single(d => (string?)d.Attribute("device") == "cdrom").Element("target")!.Attribute("bus"));
                Assert.Equal("virtio", (string?)devices.Elements("disk").Single(d => (string?)d.Attribute("device") == "disk").Element("target")!.Attribute("bus"));
                Assert.All(devices.Elements("disk"), d => Assert.Equal("file", (string?)d.Attribute("type")));
                Assert.Equal(node.Mac, (string?)devices.Element("interface")!.Element("mac")!.Attribute("address"));
                Assert.Equal(spec.Network.Name, (string?)devices.Element("interface")!.Element("source")!.Attribute("network"));
                Assert.Equal("/var/lib/libvirt/images/x-serial.log", (string?)devices.Element("serial")!.Element("log")!.Attribute("file"));
                Assert.Contains(devices.Elements("console"), c => (string?)c.Element("target")!.Attribute("type") == "virtio");
                Assert.Equal("yes", (string?)devices.Element("graphics")!.Attribute("autoport"));
                Assert.Equal("maximum", (string?)root.Element("cpu")!.Attribute("mode"));
                Assert.Equal("root=/dev/vda rw console=ttyS0", (string?)root.Element("os")!.Element("cmdline"));
                Assert.Equal(node.Resources.MemoryMiB * 1024, (int)root.Element("memory")!);
            }
            finally
            {
                domain.Undefine();
            }

            foreach (var volume in new[] { seed, overlay, baseVolume })
            {
                volume.Delete();
            }
        }
        finally
        {
            network.Undefine();
            pool.Destroy();
            pool.Undefine();
        }
    }

    [Tier(TestTier.Libvirtd)]
    [Fact]
    public void A_qemu_domain_with_direct_kernel_boot_survives_the_qemu_drivers_parser()
    {
        LibvirtdEngineTests.RequireLibvirtd();
        using var connection = Connection.Open(TestEnvironment.SharedLibvirtUri);
        var platform = new HostPlatformDetector(Microsoft.Extensions.Logging.Abstractions.NullLogger<HostPlatformDetector>.Instance)
            .Detect(connection, Accelerator.Auto);
        Assert.Equal(DomainType.Qemu, platform.Type);
        var spec = SpecSamples.Spec(name: $"vte-q{Environment.ProcessId % 1000}", cidr: "10.202.10.0/24") with
        {
            Image = SpecSamples.Spec().Image with { Boot = new DirectKernelBootSpec("/boot/vmlinuz", "/boot/initrd.img", "root=/dev/vda console=ttyS0") },
            Vm = new VmSpec(Accelerator.Auto, GraphicsKind.Vnc),
        };
        var layout = ClusterLayout.From(spec);
        var node = layout.Nodes[0];

        using var domain = connection.DefineDomain(DomainXml.Build(layout, node, platform, "/var/lib/libvirt/images/vte-none.qcow2", "/var/lib/libvirt/images/vte-none.iso", "/var/lib/libvirt/images/vte-none-serial.log"));
        try
        {
            var root = System.Xml.Linq.XElement.Parse(domain.GetXml());
            Assert.Equal("qemu", (string?)root.Attribute("type"));
            Assert.Equal("maximum", (string?)root.Element("cpu")!.Attribute("mode"));
            Assert.StartsWith("pc-q35", (string?)root.Element("os")!.Element("type")!.Attribute("machine"), StringComparison.Ordinal);
            Assert.Equal("/boot/vmlinuz", (string?)root.Element("os")!.Element("kernel"));
            Assert.Equal("sata", (string?)root.Element("devices")!.Elements("disk").Last().Element("target")!.Attribute("bus"));
            Assert.Equal("vnc", (string?)root.Element("devices")!.Element("graphics")!.Attribute("type"));
            Assert.Equal(node.SpecHash, NodeMark.FromDomainXml(domain.GetXml())!.SpecHash);
        }
        finally
        {
            domain.Undefine();
        }
    }
}
