using Vhpc.Cli.Commands;
using Vhpc.Control.Protocol;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Cli;

public sealed class SshInvocationTests
{
    private static readonly NodeAccessInfo Access = new("c1", "c1-w01", "10.206.1.11", "vhpc", "/var/lib/vhpc/clusters/c1/ssh/id_ed25519", "/var/lib/vhpc/clusters/c1/ssh/known_hosts", null);

    [Tier(TestTier.Unit)]
    [Fact]
    public void Uses_the_cluster_key_and_known_hosts_with_strict_checking()
    {
        var (file, args) = SshInvocation.Build(Access, ["hostname", "-f"]);
        Assert.Equal("ssh", file);
        Assert.Equal(
            ["-i", Access.PrivateKeyPath, "-o", "IdentitiesOnly=yes", "-o", "UserKnownHostsFile=" + Access.KnownHostsPath,
             "-o", "StrictHostKeyChecking=yes", "-l", "vhpc", "10.206.1.11", "--", "hostname", "-f"],
            args);
    }

    [Tier(TestTier.Unit)]
    [Fact]
    public void Runs_inside_the_network_namespace_when_vhpcd_uses_one()
    {
        // A namespace this process is not in (the tests run in vhpc-test).
        var (file, args) = SshInvocation.Build(Access with { NetworkNamespace = "vhpc-guests" }, []);
        Assert.Equal("ip", file);
        Assert.Equal(["netns", "exec", "vhpc-guests", "ssh"], args.Take(4));
        Assert.Equal("10.206.1.11", args[^1]);
    }

    [Tier(TestTier.Libvirtd)]
    [Fact]
    public async Task Already_inside_the_network_namespace_ssh_runs_directly()
    {
        var self = new FileInfo("/proc/self/ns/net").LinkTarget;
        var inode = File.Exists("/run/netns/vhpc-test") ? (await ProcessRunner.RunAsync("stat", ["-L", "-c", "%i", "/run/netns/vhpc-test"])).Output.Trim() : null;
        Assert.True(inode is { Length: > 0 } && self == $"net:[{inode}]",
            "this test must run inside network namespace vhpc-test (tests/run.sh does; tests/env/up.sh creates it)");

        var (file, args) = SshInvocation.Build(Access with { NetworkNamespace = "vhpc-test" }, ["hostname"]);
        Assert.Equal("ssh", file);
        Assert.DoesNotContain("netns", args);
    }
}
