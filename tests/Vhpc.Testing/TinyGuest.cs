using System.Globalization;
using System.Xml.Linq;

namespace Vhpc.Testing;

/// <summary>
/// A guest that boots in seconds under TCG: the host's kernel plus a busybox initramfs whose /init
/// does what the kernel command line says (vtg.mode=dhcp|silent|poweroff|panic; vtg.hostname= for the
/// name its DHCP request carries). Files live under
/// /var/lib/libvirt/images so that qemu (running as libvirt-qemu) can read them.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TinyGuest : IDisposable
{
    private const string Init = """
        #!/bin/busybox sh
        /bin/busybox mkdir -p /proc /sys /dev /tmp
        /bin/busybox mount -t proc proc /proc
        /bin/busybox mount -t sysfs sysfs /sys
        /bin/busybox mount -t devtmpfs devtmpfs /dev
        exec 0</dev/console 1>/dev/console 2>&1
        /bin/busybox --install -s /bin
        export PATH=/bin
        mode=$(sed -n 's/.*vtg\.mode=\([a-z]*\).*/\1/p' /proc/cmdline)
        name=$(sed -n 's/.*vtg\.hostname=\([a-z0-9-]*\).*/\1/p' /proc/cmdline)
        echo "VTG-GUEST mode=$mode"
        case "$mode" in
          dhcp)
            insmod /e1000.ko
            ip link set lo up
            ip link set eth0 up
            udhcpc -i eth0 -s /udhcpc.script -t 30 -T 2 -A 2 -x hostname:${name:-vtg-tiny}
            ;;
          poweroff)
            echo "VTG-GUEST powering off on purpose"
            poweroff -f
            ;;
          panic)
            echo "VTG-GUEST crashing the kernel on purpose"
            echo c > /proc/sysrq-trigger
            ;;
        esac
        while true; do sleep 3600; done
        """;

    private const string UdhcpcScript = """
        #!/bin/sh
        echo "VTG-GUEST udhcpc $1 ip=$ip"
        [ "$1" = bound ] && ip addr add "$ip/${mask:-24}" dev "$interface"
        exit 0
        """;

    public TinyGuest()
    {
        TestEnvironment.Require(TestTier.Guests, "a tiny guest");
        // The installed Debian kernel (the running one may be the machine's own and have no modules here).
        var kernel = System.IO.Directory.GetFiles("/boot", "vmlinuz-*")
            .Where(k => System.IO.Directory.Exists($"/lib/modules/{Path.GetFileName(k)["vmlinuz-".Length..]}"))
            .Order(StringComparer.Ordinal).LastOrDefault();
        if (kernel is null)
        {
            Assert.Fail("No /boot/vmlinuz-* with modules in /lib/modules: install linux-image-amd64 (tests/env/up.sh installs it).");
        }

        var kernelRelease = Path.GetFileName(kernel)["vmlinuz-".Length..];
        var e1000 = $"/lib/modules/{kernelRelease}/kernel/drivers/net/ethernet/intel/e1000/e1000.ko";
        foreach (var (path, package) in new[] { (kernel, "linux-image-amd64"), (e1000, "linux-image-amd64"), ("/bin/busybox", "busybox-static") })
        {
            if (!File.Exists(path))
            {
                Assert.Fail($"{path} is missing: install {package} (tests/env/up.sh installs it).");
            }
        }

        if (!ProcessRunner.Run("file", ["-L", "/bin/busybox"]).Output.Contains("statically linked", StringComparison.Ordinal))
        {
            Assert.Fail("/bin/busybox is not statically linked: install busybox-static.");
        }

        Directory = Path.Combine("/var/lib/libvirt/images", $"vtg-tiny-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        System.IO.Directory.CreateDirectory(Directory, (UnixFileMode)0b111_101_101);
        var root = Path.Combine(Directory, "root");
        System.IO.Directory.CreateDirectory(Path.Combine(root, "bin"));
        File.Copy("/bin/busybox", Path.Combine(root, "bin", "busybox"));
        File.Copy(e1000, Path.Combine(root, "e1000.ko"));
        File.WriteAllText(Path.Combine(root, "init"), Init.Replace("\r", string.Empty, StringComparison.Ordinal) + "\n");
        File.WriteAllText(Path.Combine(root, "udhcpc.script"), UdhcpcScript.Replace("\r", string.Empty, StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(Path.Combine(root, "init"), (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(root, "udhcpc.script"), (UnixFileMode)0b111_101_101);

        KernelPath = Path.Combine(Directory, "vmlinuz");
        InitrdPath = Path.Combine(Directory, "initrd.cpio");
        File.Copy(kernel, KernelPath);
        var cpio = ProcessRunner.Run("sh", ["-c", $"cd '{root}' && find . | cpio -o -H newc --quiet > '{InitrdPath}'"]);
        if (cpio.ExitCode != 0)
        {
            Assert.Fail($"building the initramfs failed (needs cpio): {cpio.Error}");
        }
    }

    public string Directory { get; }

    public string KernelPath { get; }

    public string InitrdPath { get; }

    public static string ConsoleLogPath(string domainName) => $"/var/log/libvirt/qemu/{domainName}-serial.log";

    /// <summary>
    /// Domain XML for one tiny guest. no_timer_check: under TCG on a loaded host the kernel's IO-APIC
    /// timer check fails now and then and the guest panics at 0.05 s (seen here).
    /// </summary>
    /// <remarks>Domain XML for one tiny guest on <paramref name="network"/> (TCG, 128 MiB, e1000 NIC, serial log).</remarks>
    /// <param name="hostname">The name its DHCP request sends (null: vtg-tiny).</param>
    public string DomainXml(string name, string network, string mac, string mode, string? hostname = null) =>
        new XElement("domain", new XAttribute("type", "qemu"),
            new XElement("name", name),
            new XElement("memory", new XAttribute("unit", "MiB"), 128),
            new XElement("vcpu", 1),
            new XElement("os",
                new XElement("type", new XAttribute("arch", "x86_64"), "hvm"),
                new XElement("kernel", KernelPath),
                new XElement("initrd", InitrdPath),
                new XElement("cmdline", string.Create(CultureInfo.InvariantCulture, $"console=ttyS0 panic=1 no_timer_check quiet vtg.mode={mode}{(hostname is null ? "" : " vtg.hostname=" + hostname)}"))),
            new XElement("features", new XElement("acpi")),
            new XElement("cpu", new XAttribute("mode", "maximum")),
            new XElement("on_reboot", "destroy"),
            new XElement("on_crash", "destroy"),
            new XElement("devices",
                new XElement("interface", new XAttribute("type", "network"),
                    new XElement("source", new XAttribute("network", network)),
                    new XElement("mac", new XAttribute("address", mac)),
                    new XElement("model", new XAttribute("type", "e1000"))),
                new XElement("serial", new XAttribute("type", "pty"),
                    new XElement("log", new XAttribute("file", ConsoleLogPath(name)), new XAttribute("append", "off")),
                    new XElement("target", new XAttribute("port", 0))),
                new XElement("console", new XAttribute("type", "pty")),
                new XElement("memballoon", new XAttribute("model", "none")))).ToString();

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
