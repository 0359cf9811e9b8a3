using Vhpc.Cli.Commands;
using Vhpc.Control.Protocol;

namespace Vhpc.Daemon.Tests.Cli;

public sealed class SshInvocationTests
{
    private static readonly NodeAccessInfo Access = new("c1", "c1-w01", "10.206.1.11", "vhpc", "/var/lib/vhpc/clusters/c1/ssh/id_ed25519", "/var/lib/vhpc/clusters/c1/ssh/known_hosts", null);

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

    [Fact]
    public void Runs_inside_the_network_namespace_when_vhpcd_uses_one()
    {
        var (file, args) = SshInvocation.Build(Access with { NetworkNamespace = "vhpc-test" }, []);
        Assert.Equal("ip", file);
        Assert.Equal(["netns", "exec", "vhpc-test", "ssh"], args.Take(4));
        Assert.Equal("10.206.1.11", args[^1]);
    }
}
