using Vhpc.Systemd.Tests.Support;

namespace Vhpc.Systemd.Tests;

/// <summary>
/// Issue 15 under the installed service: every management domain carries the power channel, libvirt
/// binds its socket as libvirt-qemu:libvirt-qemu 0775 in vhpcd's 0700 /run/vhpc/channels, and once the
/// cluster file says workers.elastic (a reload, no apply) vhpcd, running as user vhpcd, connects to it
/// (install.sh puts vhpcd in group libvirt-qemu). The cluster's tiny guests run no Slurm, so the
/// requests themselves are the e2e tier's proof.
/// </summary>
public sealed partial class InstalledServiceTests
{
    [Fact]
    [Order(9)]
    public async Task Vhpcd_as_user_vhpcd_connects_to_the_power_channel_libvirt_binds()
    {
        var socket = $"/run/vhpc/channels/{Cluster}.sock";
        var xml = await Must(container.ExecAsync("virsh", "-c", "qemu:///system", "dumpxml", $"{Cluster}-m-01"));
        Assert.Contains($"<source mode='bind' path='{socket}'/>", xml.Out, StringComparison.Ordinal);
        var owner = await Must(container.ShAsync($"stat -c '%U:%G %a' /run/vhpc/channels {socket}; id -Gn vhpcd"));
        output.WriteLine(owner.Out);
        var lines = owner.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("vhpcd:vhpcd 700", lines[0]);
        Assert.Contains("libvirt-qemu", lines[2].Split(' '));

        var plain = container.ClusterYaml(workers: 1);
        var elastic = plain.Replace("workers: { count: 1, vcpu: 1, memoryMiB: 256, diskGiB: 1 }",
            "workers: { count: 1, vcpu: 1, memoryMiB: 256, diskGiB: 1, elastic: { max: 2 } }", StringComparison.Ordinal);
        Assert.NotEqual(plain, elastic);
        await container.WriteFileAsync(ServiceContainer.ClusterFile, elastic);
        await Must(container.ExecAsync("systemctl", "reload", "vhpcd.service"));
        try
        {
            await ServiceContainer.WaitUntilAsync(async () => await Journal("VHPC_EVENT_ID=4600") != "", TimeSpan.FromSeconds(60),
                async () => $"vhpcd never connected to {socket} (event 4600); {(await container.ShAsync($"ls -l {socket}")).Out}journal:\n{await Journal()}");
        }
        finally
        {
            await container.WriteFileAsync(ServiceContainer.ClusterFile, plain);
            await Must(container.ExecAsync("systemctl", "reload", "vhpcd.service"));
        }
    }
}
