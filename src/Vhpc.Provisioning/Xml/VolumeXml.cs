using System.Xml.Linq;

namespace Vhpc.Provisioning.Xml;

/// <summary>Storage volume definitions. Capacities are always in bytes.</summary>
internal static class VolumeXml
{
    /// <summary>A plain volume of a given format (the base image before upload, a seed ISO, a marker).</summary>
    public static string Build(string name, long capacityBytes, string format)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        return VhpcXmlNames.ToXml(
            new XElement("volume",
                new XElement("name", name),
                new XElement("capacity", new XAttribute("unit", "bytes"), capacityBytes),
                new XElement("target", new XElement("format", new XAttribute("type", format)))));
    }

    /// <summary>A qcow2 overlay whose backing store is the base volume (by its path from libvirt).</summary>
    public static string BuildOverlay(string name, long capacityBytes, string backingPath, string backingFormat)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(backingPath);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        return VhpcXmlNames.ToXml(
            new XElement("volume",
                new XElement("name", name),
                new XElement("capacity", new XAttribute("unit", "bytes"), capacityBytes),
                new XElement("target", new XElement("format", new XAttribute("type", "qcow2"))),
                new XElement("backingStore",
                    new XElement("path", backingPath),
                    new XElement("format", new XAttribute("type", backingFormat)))));
    }

    /// <summary>The backing store path of a volume, or null (to check an overlay points at the current base).</summary>
    public static string? ParseBackingPath(string xml) =>
        (string?)VhpcXmlNames.Parse(xml).Root?.Element("backingStore")?.Element("path");
}
