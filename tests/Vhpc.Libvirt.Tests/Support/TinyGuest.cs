using System.Diagnostics;
using System.Xml.Linq;
using Vhpc.Provisioning.Xml;

namespace Vhpc.Libvirt.Tests.Support;

/// <summary>
/// A guest that boots in seconds under TCG: the host's Debian kernel (direct kernel boot) with an
/// initramfs holding only the static busybox and the e1000 driver; its /init brings eth0 up, asks for
/// a DHCP lease and sleeps.
/// </summary>
internal static class TinyGuest
{
    private const string Busybox = "/bin/busybox";

    internal static string Kernel()
    {
        string? kernel = Directory.Exists("/boot")
            ? Directory.GetFiles("/boot", "vmlinuz-*").OrderDescending(StringComparer.Ordinal).FirstOrDefault()
            : null;
        return kernel ?? throw new InvalidOperationException(
            "no /boot/vmlinuz-*: install linux-image-amd64 (tests/env/up.sh does)");
    }

    /// <summary>Writes the initramfs (cpio newc) to <paramref name="path"/>.</summary>
    internal static void BuildInitramfs(string kernel, string path)
    {
        if (!File.Exists(Busybox))
        {
            throw new InvalidOperationException("no static /bin/busybox: install busybox-static (tests/env/up.sh does)");
        }

        string release = Path.GetFileName(kernel)["vmlinuz-".Length..];
        string e1000 = $"/lib/modules/{release}/kernel/drivers/net/ethernet/intel/e1000/e1000.ko";
        if (!File.Exists(e1000))
        {
            throw new InvalidOperationException($"{e1000} missing: install linux-image-amd64 (tests/env/up.sh does)");
        }

        string root = Directory.CreateTempSubdirectory("vtb-initramfs-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "bin"));
            File.Copy(Busybox, Path.Combine(root, "bin", "busybox"));
            File.Copy(e1000, Path.Combine(root, "e1000.ko"));
            WriteExecutable(Path.Combine(root, "init"), """
                #!/bin/busybox sh
                /bin/busybox --install -s /bin
                mkdir -p /proc /sys /dev
                mount -t proc proc /proc
                mount -t sysfs sys /sys
                mount -t devtmpfs dev /dev
                exec >/dev/ttyS0 2>&1
                echo vtb-guest-up
                insmod /e1000.ko
                ip link set eth0 up
                udhcpc -i eth0 -x hostname:vtbguest -s /udhcpc.sh -t 30 -T 2 -b
                while true; do sleep 3600; done
                """);
            WriteExecutable(Path.Combine(root, "udhcpc.sh"), """
                #!/bin/busybox sh
                [ "$1" = bound ] && ip addr add "$ip/$mask" dev "$interface" && echo "vtb-guest-lease $ip"
                exit 0
                """);
            Run("/bin/sh", "-c", $"cd '{root}' && find . | cpio -o -H newc --quiet > '{path}'");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    internal static string DomainXml(string name, string kernel, string initramfs, string network, string mac, string consoleLog) =>
        new XElement("domain", new XAttribute("type", "qemu"),
            new XElement("name", name),
            new XElement("memory", new XAttribute("unit", "MiB"), 256),
            new XElement("vcpu", 1),
            new XElement("os",
                new XElement("type", new XAttribute("arch", "x86_64"), new XAttribute("machine", "pc"), "hvm"),
                new XElement("kernel", kernel),
                new XElement("initrd", initramfs),
                new XElement("cmdline", "console=ttyS0 panic=-1 quiet")),
            // KVM does not work on these machines: TCG with the richest CPU model it emulates.
            new XElement("cpu", new XAttribute("mode", "maximum")),
            new XElement("on_poweroff", "destroy"),
            new XElement("on_crash", "destroy"),
            new XElement("devices",
                new XElement("interface", new XAttribute("type", "network"),
                    new XElement("source", new XAttribute("network", network)),
                    new XElement("mac", new XAttribute("address", mac)),
                    new XElement("model", new XAttribute("type", "e1000"))),
                new XElement("serial", new XAttribute("type", "file"),
                    new XElement("source", new XAttribute("path", consoleLog))),
                new XElement("memballoon", new XAttribute("model", "none")))).ToString();

    private static void WriteExecutable(string path, string text)
    {
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    private static void Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error} (is cpio installed?)");
        }
    }
}
