using System.Numerics;
using System.Xml.Linq;
using Vhpc.Spec.Addressing;
using Vhpc.Spec.Layout;

namespace Vhpc.Provisioning.Xml;

/// <summary>A fixed DHCP host entry: MAC -> IP -> hostname, known before the node boots.</summary>
internal sealed record DhcpHost(string Mac, string Address, string Name);

/// <summary>What the planner compares of an existing network.</summary>
internal sealed record NetworkDefinition(
    Guid Uuid,
    string? ForwardMode,
    string? Bridge,
    string? Domain,
    string? Address,
    string? Netmask,
    string? RangeStart,
    string? RangeEnd,
    IReadOnlyList<DhcpHost> Hosts);

/// <summary>
/// The cluster's network on one host. NAT: bridge, DNS domain (answered locally, never forwarded
/// upstream), the gateway address, a DHCP range for anything else, and one fixed host entry per node.
/// Bridge mode: only the name, UUID and the existing host bridge; libvirt makes no address, DHCP or DNS.
/// </summary>
internal static class NetworkXml
{
    public static string Build(ClusterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (layout.IsBridged)
        {
            return VhpcXmlNames.ToXml(
                new XElement("network",
                    new XElement("name", layout.NetworkName),
                    new XElement("uuid", layout.NetworkUuid.ToString("D")),
                    new XElement("forward", new XAttribute("mode", "bridge")),
                    new XElement("bridge", new XAttribute("name", layout.BridgeName))));
        }

        return VhpcXmlNames.ToXml(
            new XElement("network",
                new XElement("name", layout.NetworkName),
                new XElement("uuid", layout.NetworkUuid.ToString("D")),
                new XElement("forward", new XAttribute("mode", "nat")),
                new XElement("bridge", new XAttribute("name", layout.BridgeName), new XAttribute("stp", "on"), new XAttribute("delay", "0")),
                new XElement("domain", new XAttribute("name", layout.Spec.Domain), new XAttribute("localOnly", "yes")),
                new XElement("ip",
                    new XAttribute("address", layout.Gateway.ToString()),
                    new XAttribute("netmask", layout.Subnet.Netmask.ToString()),
                    new XElement("dhcp",
                        new XElement("range", new XAttribute("start", layout.DhcpRangeStart.ToString()), new XAttribute("end", layout.DhcpRangeEnd.ToString())),
                        DesiredHosts(layout).Select(HostElement)))));
    }

    /// <summary>The fixed DHCP host entries of the nodes on this host; none in bridge mode (no libvirt DHCP there).</summary>
    public static IReadOnlyList<DhcpHost> DesiredHosts(ClusterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return layout.IsBridged ? [] : layout.Nodes.Select(n => new DhcpHost(n.Mac, n.Address.ToString(), n.Name)).ToList();
    }

    /// <summary>One <c>&lt;host/&gt;</c> element, as virNetworkUpdate's IP_DHCP_HOST section takes it.</summary>
    public static string BuildHost(DhcpHost host) => VhpcXmlNames.ToXml(HostElement(host));

    public static NetworkDefinition Parse(string xml)
    {
        var root = VhpcXmlNames.Parse(xml).Root!;
        var ip = root.Elements("ip").FirstOrDefault(e => (string?)e.Attribute("family") is null or "ipv4");
        var dhcp = ip?.Element("dhcp");
        var range = dhcp?.Element("range");
        return new NetworkDefinition(
            Guid.TryParse((string?)root.Element("uuid"), out var uuid) ? uuid : Guid.Empty,
            (string?)root.Element("forward")?.Attribute("mode"),
            (string?)root.Element("bridge")?.Attribute("name"),
            (string?)root.Element("domain")?.Attribute("name"),
            (string?)ip?.Attribute("address"),
            NetmaskOf(ip),
            (string?)range?.Attribute("start"),
            (string?)range?.Attribute("end"),
            dhcp?.Elements("host")
                .Select(h => new DhcpHost(((string?)h.Attribute("mac") ?? "").ToLowerInvariant(), (string?)h.Attribute("ip") ?? "", (string?)h.Attribute("name") ?? ""))
                .ToList() ?? []);
    }

    /// <summary>
    /// Any libvirt network's bridge and IPv4 subnets (every &lt;ip&gt; that is not IPv6, by netmask or
    /// prefix; an unreadable one is left out), for checking a new network against the host's others.
    /// </summary>
    public static (string? Bridge, IReadOnlyList<Ipv4Subnet> Subnets) ParseAddressing(string xml)
    {
        var root = VhpcXmlNames.Parse(xml).Root!;
        var subnets = new List<Ipv4Subnet>();
        foreach (var ip in root.Elements("ip").Where(e => (string?)e.Attribute("family") is null or "ipv4"))
        {
            if ((string?)ip.Attribute("address") is { } address && NetmaskOf(ip) is { } netmask
                && Ipv4Subnet.TryParseAddress(address, out var host) && Ipv4Subnet.TryParseAddress(netmask, out var mask)
                && PrefixOf(mask) is { } prefix)
            {
                subnets.Add(new Ipv4Subnet(prefix == 0 ? 0 : host & (uint.MaxValue << (32 - prefix)), prefix));
            }
        }

        return ((string?)root.Element("bridge")?.Attribute("name"), subnets);
    }

    /// <summary>The prefix length of a contiguous netmask, or null.</summary>
    private static int? PrefixOf(uint mask)
    {
        var prefix = BitOperations.PopCount(mask);
        return prefix == 0 ? (mask == 0 ? 0 : null) : mask == uint.MaxValue << (32 - prefix) ? prefix : null;
    }

    private static string? NetmaskOf(XElement? ip)
    {
        if ((string?)ip?.Attribute("netmask") is { } netmask)
        {
            return netmask;
        }

        return int.TryParse((string?)ip?.Attribute("prefix"), out var prefix) && prefix is >= 0 and <= 32
            ? new Ipv4Subnet(0, prefix).Netmask.ToString()
            : null;
    }

    private static XElement HostElement(DhcpHost host) =>
        new("host", new XAttribute("mac", host.Mac), new XAttribute("name", host.Name), new XAttribute("ip", host.Address));
}
