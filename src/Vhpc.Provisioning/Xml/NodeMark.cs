using System.Globalization;
using System.Xml.Linq;
using Vhpc.Spec.Addressing;

namespace Vhpc.Provisioning.Xml;

/// <summary>
/// vhpc's ownership mark in a domain's <c>&lt;metadata&gt;</c>: which cluster and node it is, and the
/// hashes of the spec it was built from. A domain without it (or with another cluster's) is not ours,
/// whatever its name. <see cref="Host"/> (clusters with a hosts list) names the host the node was placed
/// on; where a node lives is read from libvirt (the host whose libvirtd has its domain), and the mark lets
/// a domain found through a second host entry be recognised as the same libvirt host listed twice.
/// </summary>
internal sealed record NodeMark(string Cluster, string Node, NodeRole Role, int Index, string SpecHash, string DiskHash, string? Host = null)
{
    public XElement ToElement() =>
        new(VhpcXmlNames.Node + "node",
            new XAttribute(XNamespace.Xmlns + VhpcXmlNames.NodeNamespacePrefix, VhpcXmlNames.NodeNamespaceUri),
            new XAttribute("cluster", Cluster),
            new XAttribute("name", Node),
            new XAttribute("role", Role == NodeRole.Management ? "management" : "worker"),
            new XAttribute("index", Index.ToString(CultureInfo.InvariantCulture)),
            new XAttribute("specHash", SpecHash),
            new XAttribute("diskHash", DiskHash),
            Host is null ? null : new XAttribute("host", Host));

    /// <summary>The mark in a domain's XML, or null when the domain has none (or a malformed one).</summary>
    public static NodeMark? FromDomainXml(string domainXml)
    {
        var element = VhpcXmlNames.Parse(domainXml).Root?.Element("metadata")?.Element(VhpcXmlNames.Node + "node");
        if (element is null)
        {
            return null;
        }

        var role = (string?)element.Attribute("role") switch
        {
            "management" => NodeRole.Management,
            "worker" => NodeRole.Worker,
            _ => (NodeRole?)null,
        };
        return (string?)element.Attribute("cluster") is { } cluster && (string?)element.Attribute("name") is { } node && role is { } r
               && int.TryParse((string?)element.Attribute("index"), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? new NodeMark(cluster, node, r, index, (string?)element.Attribute("specHash") ?? "", (string?)element.Attribute("diskHash") ?? "",
                (string?)element.Attribute("host"))
            : null;
    }
}
