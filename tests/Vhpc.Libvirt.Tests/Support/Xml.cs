using System.Xml.Linq;

namespace Vhpc.Libvirt.Tests.Support;

/// <summary>libvirt XML for the tests, built with System.Xml.Linq.</summary>
internal static class Xml
{
    internal static string TestDomain(string name, int memoryMiB = 64) =>
        new XElement("domain", new XAttribute("type", "test"),
            new XElement("name", name),
            new XElement("memory", new XAttribute("unit", "MiB"), memoryMiB),
            new XElement("vcpu", 1),
            new XElement("os", new XElement("type", "hvm"))).ToString();

    internal static string NatNetwork(string name, string bridge, string subnetPrefix, string? mac = null)
    {
        var ip = new XElement("ip", new XAttribute("address", $"{subnetPrefix}.1"), new XAttribute("netmask", "255.255.255.0"),
            new XElement("dhcp", new XElement("range",
                new XAttribute("start", $"{subnetPrefix}.100"), new XAttribute("end", $"{subnetPrefix}.200"))));
        var network = new XElement("network",
            new XElement("name", name),
            new XElement("forward", new XAttribute("mode", "nat")),
            new XElement("bridge", new XAttribute("name", bridge), new XAttribute("stp", "on"), new XAttribute("delay", "0")),
            ip);
        if (mac is not null)
        {
            network.Add(new XElement("mac", new XAttribute("address", mac)));
        }

        return network.ToString();
    }

    internal static string DirPool(string name, string path) =>
        new XElement("pool", new XAttribute("type", "dir"),
            new XElement("name", name),
            new XElement("target", new XElement("path", path))).ToString();

    internal static string Volume(string name, long capacityBytes, string format = "raw") =>
        new XElement("volume",
            new XElement("name", name),
            new XElement("capacity", new XAttribute("unit", "bytes"), capacityBytes),
            new XElement("target", new XElement("format", new XAttribute("type", format)))).ToString();
}
