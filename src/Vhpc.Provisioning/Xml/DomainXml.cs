using System.Globalization;
using System.Xml.Linq;
using Vhpc.Spec;
using Vhpc.Spec.Addressing;
using Vhpc.Spec.Layout;

namespace Vhpc.Provisioning.Xml;

/// <summary>
/// A node's domain. Choices that matter: the disk is <c>type='file'</c> with the path libvirt
/// reported for the overlay (<c>type='volume'</c> breaks AppArmor's handling of qcow2 backing
/// chains); the seed is a SATA cdrom (IDE cdroms are rejected on q35); the serial console is also
/// logged to a file so a failing boot can be shown; the CPU mode follows the accelerator decision.
/// </summary>
internal static class DomainXml
{
    /// <param name="powerChannelPath">
    /// Host end of the cluster's power channel (a Unix socket libvirt binds), given to the management
    /// node on a local libvirt whether or not the cluster is elastic; null: no power channel.
    /// </param>
    public static string Build(ClusterLayout layout, ClusterNode node, HostPlatform platform, string overlayPath, string seedPath,
        string consoleLogPath, string? powerChannelPath = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(overlayPath);
        ArgumentNullException.ThrowIfNull(seedPath);
        ArgumentNullException.ThrowIfNull(consoleLogPath);
        var spec = layout.Spec;
        var boot = spec.Image.Boot;
        var mark = new NodeMark(layout.Cluster, node.Name, node.Role, node.Index, node.SpecHash, node.DiskHash,
            layout.NamesHosts ? layout.Host?.Name : null);

        var type = new XElement("type", "hvm");
        if (platform.Arch is { } arch)
        {
            type.Add(new XAttribute("arch", arch));
        }

        if (platform.Machine is { } machine)
        {
            type.Add(new XAttribute("machine", machine));
        }

        return VhpcXmlNames.ToXml(
            new XElement("domain", new XAttribute("type", platform.DomainTypeName),
                new XElement("name", node.Name),
                new XElement("title", $"vhpc {layout.Cluster} {(node.Role == NodeRole.Management ? "management" : "worker")} {node.Index}"),
                new XElement("metadata", mark.ToElement()),
                new XElement("memory", new XAttribute("unit", "MiB"), node.Resources.MemoryMiB.ToString(CultureInfo.InvariantCulture)),
                new XElement("vcpu", node.Resources.Vcpu.ToString(CultureInfo.InvariantCulture)),
                new XElement("os",
                    type,
                    boot is null ? null : new XElement("kernel", boot.Kernel),
                    boot?.Initrd is null ? null : new XElement("initrd", boot.Initrd),
                    boot?.Cmdline is null ? null : new XElement("cmdline", boot.Cmdline),
                    boot is null ? new XElement("boot", new XAttribute("dev", "hd")) : null),
                new XElement("features", new XElement("acpi"), new XElement("apic")),
                new XElement("cpu", new XAttribute("mode", platform.CpuMode)),
                new XElement("clock", new XAttribute("offset", "utc")),
                new XElement("on_poweroff", "destroy"),
                new XElement("on_reboot", "restart"),
                new XElement("on_crash", "destroy"),
                new XElement("devices",
                    new XElement("disk", new XAttribute("type", "file"), new XAttribute("device", "disk"),
                        new XElement("driver", new XAttribute("name", "qemu"), new XAttribute("type", "qcow2")),
                        new XElement("source", new XAttribute("file", overlayPath)),
                        new XElement("target", new XAttribute("dev", "vda"), new XAttribute("bus", "virtio"))),
                    new XElement("disk", new XAttribute("type", "file"), new XAttribute("device", "cdrom"),
                        new XElement("driver", new XAttribute("name", "qemu"), new XAttribute("type", "raw")),
                        new XElement("source", new XAttribute("file", seedPath)),
                        new XElement("target", new XAttribute("dev", "sda"), new XAttribute("bus", "sata")),
                        new XElement("readonly")),
                    new XElement("interface", new XAttribute("type", "network"),
                        new XElement("mac", new XAttribute("address", node.Mac)),
                        new XElement("source", new XAttribute("network", layout.NetworkName)),
                        new XElement("model", new XAttribute("type", "virtio"))),
                    new XElement("serial", new XAttribute("type", "pty"),
                        new XElement("log", new XAttribute("file", consoleLogPath), new XAttribute("append", "on")),
                        new XElement("target", new XAttribute("port", "0"))),
                    new XElement("console", new XAttribute("type", "pty"),
                        new XElement("target", new XAttribute("type", "virtio"), new XAttribute("port", "1"))),
                    new XElement("channel", new XAttribute("type", "unix"),
                        new XElement("target", new XAttribute("type", "virtio"), new XAttribute("name", "org.qemu.guest_agent.0"))),
                    PowerChannel(node, powerChannelPath),
                    Graphics(spec.Vm.Graphics),
                    // Entropy for the guest: under TCG, cloud-init and sshd key generation otherwise wait on it.
                    new XElement("rng", new XAttribute("model", "virtio"),
                        new XElement("backend", new XAttribute("model", "random"), "/dev/urandom")),
                    new XElement("memballoon", new XAttribute("model", "virtio")))));
    }

    /// <summary>The file paths of a domain's disks (to tell which volumes a domain uses).</summary>
    public static IReadOnlyList<string> ParseDiskPaths(string domainXml) =>
        VhpcXmlNames.Parse(domainXml).Root?.Element("devices")?.Elements("disk")
            .Select(d => (string?)d.Element("source")?.Attribute("file"))
            .OfType<string>()
            .ToList() ?? [];

    /// <summary>
    /// The power channel, on the management node only: Slurm's power programs run there (as SlurmUser,
    /// next to slurmctld). Present whether or not the cluster is elastic (vhpcd serves it only for an
    /// elastic one), so turning elasticity on or off never replaces the running management domain.
    /// mode='bind': libvirt makes the socket, vhpcd connects to it, so a stopped vhpcd never keeps the
    /// domain from starting.
    /// </summary>
    private static XElement? PowerChannel(ClusterNode node, string? path) =>
        path is null || node.Role != NodeRole.Management
            ? null
            : new XElement("channel", new XAttribute("type", "unix"),
                new XElement("source", new XAttribute("mode", "bind"), new XAttribute("path", path)),
                new XElement("target", new XAttribute("type", "virtio"), new XAttribute("name", ClusterLayout.PowerChannelName)));

    /// <summary>The host end of the power channel in a domain's XML, or null.</summary>
    public static string? ParsePowerChannelPath(string domainXml) =>
        VhpcXmlNames.Parse(domainXml).Root?.Element("devices")?.Elements("channel")
            .Where(c => (string?)c.Element("target")?.Attribute("name") == ClusterLayout.PowerChannelName)
            .Select(c => (string?)c.Element("source")?.Attribute("path"))
            .FirstOrDefault();

    private static XElement? Graphics(GraphicsKind kind) => kind switch
    {
        GraphicsKind.Spice => new XElement("graphics", new XAttribute("type", "spice"), new XAttribute("autoport", "yes"),
            new XElement("listen", new XAttribute("type", "address"), new XAttribute("address", "127.0.0.1"))),
        GraphicsKind.Vnc => new XElement("graphics", new XAttribute("type", "vnc"), new XAttribute("autoport", "yes"),
            new XElement("listen", new XAttribute("type", "address"), new XAttribute("address", "127.0.0.1"))),
        _ => null,
    };
}
