using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec;

namespace Vhpc.Provisioning.Reconcile;

/// <summary>
/// Chooses the domain type through the connection, so it is right for a remote host too. libvirt's
/// capabilities advertise kvm wherever /dev/kvm exists, even when KVM does not work (as on the test
/// machines: /dev/kvm is there but /proc/cpuinfo shows no vmx or svm flag):
/// kvm is chosen only when the domain capabilities offer it AND the host CPU reports vmx or svm.
/// </summary>
internal sealed class HostPlatformDetector(ILogger<HostPlatformDetector> logger)
{
    private const string X86 = "x86_64";

    public HostPlatform Detect(Connection connection, Accelerator requested)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var capabilities = connection.GetCapabilities();
        string? kvmDomainCapabilities = null;
        if (OffersDomainType(capabilities, "kvm"))
        {
            try
            {
                kvmDomainCapabilities = connection.GetDomainCapabilities(null, X86, null, "kvm");
            }
            catch (LibvirtException)
            {
                // No kvm emulator for this arch: the decision below falls back to qemu.
            }
        }

        var platform = Decide(capabilities, kvmDomainCapabilities, requested);
        Log.AcceleratorChosen(logger, connection.Uri, platform.DomainTypeName, platform.CpuMode, platform.Reason);
        return platform;
    }

    /// <summary>The pure decision, from the capabilities XML and (when asked) the kvm domain capabilities.</summary>
    public static HostPlatform Decide(string capabilitiesXml, string? kvmDomainCapabilitiesXml, Accelerator requested)
    {
        var caps = VhpcXmlNames.Parse(capabilitiesXml).Root!;
        var guest = caps.Elements("guest")
            .Where(g => (string?)g.Element("os_type") == "hvm")
            .OrderBy(g => (string?)g.Element("arch")?.Attribute("name") == X86 ? 0 : 1)
            .FirstOrDefault();
        var arch = guest?.Element("arch");
        var domainTypes = arch?.Elements("domain").Select(d => (string?)d.Attribute("type")).OfType<string>().ToHashSet() ?? [];
        if (!domainTypes.Contains("qemu") && !domainTypes.Contains("kvm"))
        {
            return domainTypes.Contains("test")
                ? new HostPlatform(DomainType.Test, null, null, "libvirt test driver")
                : throw new InvalidOperationException("the host offers neither qemu nor kvm guests (is qemu-system-x86 installed?)");
        }

        var archName = (string?)arch!.Attribute("name");
        var machine = arch.Elements("machine").Any(m => (string)m == "q35") ? "q35" : null;
        var features = caps.Element("host")?.Element("cpu")?.Elements("feature").Select(f => (string?)f.Attribute("name")).ToHashSet() ?? [];
        var cpuVirt = features.Contains("vmx") || features.Contains("svm");
        var kvmOffered = kvmDomainCapabilitiesXml is not null && OffersKvm(kvmDomainCapabilitiesXml);
        var kvmWorks = kvmOffered && cpuVirt;
        var why = kvmWorks ? "domain capabilities offer kvm and the host CPU has vmx/svm"
            : !kvmOffered ? "domain capabilities do not offer kvm"
            : "domain capabilities offer kvm but the host CPU has neither vmx nor svm, so KVM cannot work";

        return requested switch
        {
            Accelerator.Kvm when !kvmWorks => throw new InvalidOperationException($"vm.accelerator is kvm but {why}; use auto or qemu"),
            Accelerator.Kvm => new HostPlatform(DomainType.Kvm, archName, machine, "requested kvm; " + why),
            Accelerator.Qemu => new HostPlatform(DomainType.Qemu, archName, machine, "requested qemu (TCG)"),
            _ when !domainTypes.Contains("qemu") && !kvmWorks => throw new InvalidOperationException($"no usable domain type: {why}, and no qemu guests"),
            _ => kvmWorks
                ? new HostPlatform(DomainType.Kvm, archName, machine, "auto: " + why)
                : new HostPlatform(DomainType.Qemu, archName, machine, "auto: " + why + "; using qemu (TCG)"),
        };
    }

    private static bool OffersDomainType(string capabilitiesXml, string type) =>
        VhpcXmlNames.Parse(capabilitiesXml).Root!.Elements("guest")
            .SelectMany(g => g.Elements("arch").Elements("domain"))
            .Any(d => (string?)d.Attribute("type") == type);

    private static bool OffersKvm(string domainCapabilitiesXml)
    {
        var root = VhpcXmlNames.Parse(domainCapabilitiesXml).Root;
        return (string?)root?.Element("domain") == "kvm";
    }

}
