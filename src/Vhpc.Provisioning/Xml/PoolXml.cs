using System.Xml.Linq;
using Vhpc.Spec.Layout;

namespace Vhpc.Provisioning.Xml;

/// <summary>The cluster's dir storage pool: name, name-based UUID (the ownership mark) and target path.</summary>
internal static class PoolXml
{
    public static string Build(ClusterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return VhpcXmlNames.ToXml(
            new XElement("pool", new XAttribute("type", "dir"),
                new XElement("name", layout.PoolName),
                new XElement("uuid", layout.PoolUuid.ToString("D")),
                new XElement("target", new XElement("path", layout.PoolPath))));
    }

    /// <summary>The fields the planner compares: UUID (ownership), type and target path.</summary>
    public static (Guid Uuid, string Type, string? Path) Parse(string xml)
    {
        var root = VhpcXmlNames.Parse(xml).Root!;
        return (Guid.TryParse((string?)root.Element("uuid"), out var uuid) ? uuid : Guid.Empty,
            (string?)root.Attribute("type") ?? "",
            (string?)root.Element("target")?.Element("path"));
    }
}
