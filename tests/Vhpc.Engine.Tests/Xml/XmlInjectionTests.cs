using System.Xml.Linq;
using Vhpc.Engine.Tests.Spec;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Xml;

/// <summary>
/// The builders are injection-proof on their own: even values the validator would reject (the layout
/// does not validate) end up as text, never as markup, and the document keeps its shape.
/// </summary>
[Tier(TestTier.Unit)]
public class XmlInjectionTests
{
    public static TheoryData<string> Payloads() =>
    [
        "a'b",
        "a\"b",
        "x<evil/>y",
        "a&amp;b&c",
        "]]><injected/><![CDATA[",
        "'/><devices><disk type='block'/></devices><x a='",
        "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>&e;",
    ];

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Hostile_names_and_paths_stay_text(string payload)
    {
        var benign = Documents(SpecSamples.Spec());
        var hostileSpec = SpecSamples.Spec() with
        {
            Domain = "d" + payload,
            Pool = new PoolSpec("p" + payload, "/pool/" + payload),
            Network = new NetworkSpec("n" + payload, "10.202.5.0/24", "b" + payload),
            Image = SpecSamples.Spec().Image with { Boot = new DirectKernelBootSpec("/k" + payload, "/i" + payload, "c" + payload) },
            Vm = new VmSpec(Accelerator.Auto, GraphicsKind.Spice),
        };
        var benignWithBoot = Documents(SpecSamples.Spec() with
        {
            Image = SpecSamples.Spec().Image with { Boot = new DirectKernelBootSpec("/k", "/i", "c") },
            Network = SpecSamples.Spec().Network with { Bridge = "b" },
        });
        var hostile = Documents(hostileSpec, overlayPath: "/o" + payload, seedPath: "/s" + payload);

        Assert.Equal(benign.Keys, hostile.Keys);
        foreach (var (kind, xml) in hostile)
        {
            var parsed = XElement.Parse(xml);
            Assert.Equal(Shape(XElement.Parse(benignWithBoot[kind])), Shape(parsed));
            Assert.DoesNotContain(parsed.DescendantsAndSelf(), e => e.Name.LocalName is "evil" or "injected" || (e.Name.LocalName == "disk" && (string?)e.Attribute("type") == "block"));
        }

        var domain = XElement.Parse(hostile["domain"]);
        Assert.Equal("/o" + payload, (string?)domain.Descendants("source").First().Attribute("file"));
        Assert.Equal("c" + payload, (string?)domain.Descendants("cmdline").Single());
        Assert.Equal("p" + payload, (string?)XElement.Parse(hostile["pool"]).Element("name"));
        Assert.Equal("b" + payload, (string?)XElement.Parse(hostile["network"]).Element("bridge")!.Attribute("name"));
    }

    private static Dictionary<string, string> Documents(ClusterSpec spec, string overlayPath = "/o", string seedPath = "/s")
    {
        var layout = ClusterLayout.From(spec);
        var node = layout.Nodes[1];
        var platform = new HostPlatform(DomainType.Qemu, "x86_64", "q35", "test");
        return new Dictionary<string, string>
        {
            ["pool"] = PoolXml.Build(layout),
            ["network"] = NetworkXml.Build(layout),
            ["domain"] = DomainXml.Build(layout, node, platform, overlayPath, seedPath, seedPath + "-serial.log"),
            ["overlay"] = VolumeXml.BuildOverlay(node.OverlayVolume, 1L << 30, overlayPath, "qcow2"),
            ["volume"] = VolumeXml.Build(seedPath, 2048, "raw"),
            ["host"] = NetworkXml.BuildHost(new DhcpHost(node.Mac, node.Address.ToString(), node.Name + spec.Domain)),
        };
    }

    /// <summary>Element and attribute names only: the document's shape, whatever the text in it.</summary>
    private static string Shape(XElement element) =>
        $"{element.Name}[{string.Join(",", element.Attributes().Select(a => a.Name.ToString()))}]({string.Join(";", element.Elements().Select(Shape))})";
}
