using System.Xml.Linq;

namespace Vhpc.Provisioning.Reconcile;

/// <summary>
/// The files a domain leaves on the libvirt host after undefine: its serial console log (ours, named in
/// the domain XML) and libvirt's own per-domain qemu log. libvirt has no API to remove either, so they
/// are removed only when the libvirt host is this machine; for a remote host they stay, and say so.
/// </summary>
internal static class DomainLogFiles
{
    // libvirt's compiled-in log directory for the system qemu driver.
    private const string LibvirtQemuLogDirectory = "/var/log/libvirt/qemu";

    /// <summary>The serial log path from a domain's XML, or null when it has none.</summary>
    public static string? SerialLogPath(string domainXml) =>
        XDocument.Parse(domainXml).Root?.Element("devices")?.Elements("serial")
            .Select(s => (string?)s.Element("log")?.Attribute("file"))
            .FirstOrDefault(p => p is not null);

    /// <summary>True when the URI names this machine's libvirtd (no host part), e.g. qemu:///system.</summary>
    public static bool IsLocal(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && string.IsNullOrEmpty(parsed.Host);

    /// <summary>The files to remove for an undefined domain; empty for a remote libvirt host.</summary>
    public static IReadOnlyList<string> For(string connectionUri, string domainName, string? serialLogPath)
    {
        if (!IsLocal(connectionUri))
        {
            return [];
        }

        var files = new List<string> { Path.Combine(LibvirtQemuLogDirectory, domainName + ".log") };
        if (serialLogPath is not null && Path.IsPathFullyQualified(serialLogPath))
        {
            files.Add(serialLogPath);
        }

        return files;
    }
}
