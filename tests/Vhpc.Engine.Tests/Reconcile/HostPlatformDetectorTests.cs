using Microsoft.Extensions.Logging.Abstractions;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Reconcile;

[Collection(TestDriverState.Name)]
public class HostPlatformDetectorTests
{
    private const string KvmDomainCapabilities = "<domainCapabilities><path>/usr/bin/qemu-system-x86_64</path><domain>kvm</domain></domainCapabilities>";

    private static string Capabilities(bool vmx, params string[] domainTypes) => $"""
        <capabilities>
          <host><cpu><arch>x86_64</arch><model>Skylake</model>{(vmx ? "<feature name='vmx'/>" : "<feature name='hypervisor'/>")}</cpu></host>
          <guest><os_type>hvm</os_type><arch name='i686'><domain type='qemu'/></arch></guest>
          <guest><os_type>hvm</os_type><arch name='x86_64'><machine>pc</machine><machine canonical='pc-q35-7.2'>q35</machine>
            {string.Concat(domainTypes.Select(t => $"<domain type='{t}'/>"))}</arch></guest>
        </capabilities>
        """;

    [Tier(TestTier.Unit)]
    [Fact]
    public void Kvm_only_when_domain_capabilities_offer_it_and_the_cpu_has_vmx()
    {
        var platform = HostPlatformDetector.Decide(Capabilities(true, "qemu", "kvm"), KvmDomainCapabilities, Accelerator.Auto);

        Assert.Equal((DomainType.Kvm, "host-passthrough", "x86_64", "q35"), (platform.Type, platform.CpuMode, platform.Arch, platform.Machine));
    }

    [Tier(TestTier.Unit)]
    [Fact]
    public void Advertised_kvm_without_vmx_or_svm_is_not_trusted()
    {
        var platform = HostPlatformDetector.Decide(Capabilities(false, "qemu", "kvm"), KvmDomainCapabilities, Accelerator.Auto);

        Assert.Equal((DomainType.Qemu, "maximum"), (platform.Type, platform.CpuMode));
        Assert.Contains("neither vmx nor svm", platform.Reason, StringComparison.Ordinal);
    }

    [Tier(TestTier.Unit)]
    [Fact]
    public void No_kvm_domain_capabilities_means_qemu()
    {
        Assert.Equal(DomainType.Qemu, HostPlatformDetector.Decide(Capabilities(true, "qemu", "kvm"), null, Accelerator.Auto).Type);
    }

    [Tier(TestTier.Unit)]
    [Fact]
    public void Requesting_kvm_where_it_cannot_work_is_an_error_and_qemu_can_always_be_forced()
    {
        var error = Assert.Throws<InvalidOperationException>(() => HostPlatformDetector.Decide(Capabilities(false, "qemu", "kvm"), KvmDomainCapabilities, Accelerator.Kvm));
        Assert.Contains("vm.accelerator is kvm", error.Message, StringComparison.Ordinal);
        Assert.Equal(DomainType.Qemu, HostPlatformDetector.Decide(Capabilities(true, "qemu", "kvm"), KvmDomainCapabilities, Accelerator.Qemu).Type);
    }

    [Tier(TestTier.Unit)]
    [Fact]
    public void The_test_driver_gets_its_own_domain_type()
    {
        using var connection = Connection.Open("test:///default");

        var platform = new HostPlatformDetector(NullLogger<HostPlatformDetector>.Instance).Detect(connection, Accelerator.Auto);

        Assert.Equal(DomainType.Test, platform.Type);
    }

    [Tier(TestTier.Libvirtd)]
    [Fact]
    public void This_machine_gets_qemu_tcg_although_libvirt_advertises_kvm()
    {
        LibvirtdEngineTests.RequireLibvirtd();
        using var connection = Connection.Open(TestEnvironment.SharedLibvirtUri);

        var platform = new HostPlatformDetector(NullLogger<HostPlatformDetector>.Instance).Detect(connection, Accelerator.Auto);

        Assert.Equal((DomainType.Qemu, "maximum"), (platform.Type, platform.CpuMode));
        Assert.Equal("x86_64", platform.Arch);
    }
}
