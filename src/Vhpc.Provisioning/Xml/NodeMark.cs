using System.Globalization;
using System.Xml.Linq;
using Vhpc.Spec.Addressing;

namespace Vhpc.Provisioning.Xml;

/// <summary>
/// vhpc's ownership mark in a domain's <c>&lt;metadata&gt;</c>: which cluster and node it is, and the
/// hashes of the spec it was built from. A domain without it (or with another cluster's) is not ours,
/// whatever its name.
/// </summary>
internal sealed record NodeMark(string Cluster, string Node, NodeRole Role, int Index, string SpecHash, string DiskHash)
{
    public XElement ToElement() =>
        new(VhpcXmlNames.Node + "node",
            new XAttribute(XNamespace.Xmlns + VhpcXmlNames.NodeNamespacePrefix, VhpcXmlNames.NodeNamespaceUri),
            new XAttribute("cluster", Cluster),
            new XAttribute("name", Node),
            new XAttribute("role", Role == NodeRole.Management ? "management" : "worker"),
            new XAttribute("index", Index.ToString(CultureInfo.InvariantCulture)),
            new XAttribute("specHash", SpecHash),
            new XAttribute("diskHash", DiskHash));

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
            ? new NodeMark(cluster, node, r, index, (string?)element.Attribute("specHash") ?? "", (string?)element.Attribute("diskHash") ?? "")
            : null;
    }
}
