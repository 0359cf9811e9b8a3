using System.Xml.Linq;

namespace Vhpc.Provisioning.Xml;

/// <summary>The XML namespace of vhpc's own <c>&lt;metadata&gt;</c> element in domains.</summary>
internal static class VhpcXmlNames
{
    public const string NodeNamespaceUri = "urn:vhpc:node:1";

    /// <summary>Prefix libvirt keeps for the namespace (virDomainSetMetadata's key).</summary>
    public const string NodeNamespacePrefix = "vhpc";

    public static readonly XNamespace Node = NodeNamespaceUri;

    /// <summary>Parses libvirt XML without DTDs or external entities (libvirt never sends them).</summary>
    public static XDocument Parse(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        using var reader = System.Xml.XmlReader.Create(new StringReader(xml), new System.Xml.XmlReaderSettings
        {
            DtdProcessing = System.Xml.DtdProcessing.Prohibit,
            XmlResolver = null,
        });
        return XDocument.Load(reader);
    }

    /// <summary>Serializes without an XML declaration, as libvirt expects.</summary>
    public static string ToXml(XElement element) => element.ToString(SaveOptions.None);
}
