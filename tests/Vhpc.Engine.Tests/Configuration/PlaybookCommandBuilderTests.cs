using Vhpc.Ansible;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

[Tier(TestTier.Unit)]
public class PlaybookCommandBuilderTests
{
    private static readonly AnsibleRunnerOptions Options = new();

    [Fact]
    public void Runs_ansible_playbook_directly_without_a_namespace()
    {
        using var fixture = new RequestFixture();
        var request = fixture.Request(RepositoryPaths.SitePlaybook);
        var workspace = AnsibleWorkspace.For(request.StateDirectory);
        var command = PlaybookCommandBuilder.Build(request, workspace, Options, 3, null);

        Assert.Equal("ansible-playbook", command.FileName);
        Assert.Equal(["-i", workspace.InventoryPath, "-e", "@" + workspace.ExtraVariablesPath, "--forks", "3", RepositoryPaths.SitePlaybook],
            command.Arguments);
        Assert.DoesNotContain("--limit", command.Arguments);
        Assert.Equal(workspace.Root, command.WorkingDirectory);
    }

    [Fact]
    public void Runs_inside_the_network_namespace_and_limits_a_retry()
    {
        using var fixture = new RequestFixture();
        var request = fixture.Request(RepositoryPaths.SitePlaybook) with { NetworkNamespace = "vhpc-test" };
        var command = PlaybookCommandBuilder.Build(request, AnsibleWorkspace.For(request.StateDirectory), Options, 3, ["w1", "w2"]);

        Assert.Equal("ip", command.FileName);
        Assert.Equal(["netns", "exec", "vhpc-test", "ansible-playbook"], command.Arguments.Take(4));
        var limit = command.Arguments.ToList().IndexOf("--limit");
        Assert.Equal("w1,w2", command.Arguments[limit + 1]);
        Assert.Equal(RepositoryPaths.SitePlaybook, command.Arguments[^1]);
    }

    [Fact]
    public void Environment_keeps_ansible_private_strict_and_pipelined()
    {
        using var fixture = new RequestFixture();
        var request = fixture.Request(RepositoryPaths.SitePlaybook);
        var workspace = AnsibleWorkspace.For(request.StateDirectory);
        var env = PlaybookCommandBuilder.Build(request, workspace, Options, 3, null).Environment;

        Assert.Equal("True", env["ANSIBLE_PIPELINING"]);
        Assert.Equal("3", env["ANSIBLE_FORKS"]);
        Assert.Equal("vhpc_json", env["ANSIBLE_STDOUT_CALLBACK"]);
        Assert.Equal(workspace.CallbackPlugins, env["ANSIBLE_CALLBACK_PLUGINS"]);
        Assert.StartsWith(Path.GetFullPath(request.StateDirectory), env["ANSIBLE_HOME"], StringComparison.Ordinal);
        Assert.StartsWith(Path.GetFullPath(request.StateDirectory), env["ANSIBLE_LOCAL_TEMP"], StringComparison.Ordinal);
        Assert.StartsWith(Path.GetFullPath(request.StateDirectory), env["ANSIBLE_CACHE_PLUGIN_CONNECTION"], StringComparison.Ordinal);
        Assert.Equal(workspace.ControlPathDirectory, env["ANSIBLE_SSH_CONTROL_PATH_DIR"]);
        Assert.Equal(fixture.PrivateKey, env["ANSIBLE_PRIVATE_KEY_FILE"]);
        Assert.Equal("True", env["ANSIBLE_HOST_KEY_CHECKING"]);
        var ssh = env["ANSIBLE_SSH_ARGS"];
        Assert.Contains($"-o 'UserKnownHostsFile={fixture.KnownHosts}'", ssh, StringComparison.Ordinal);
        Assert.Contains("-o StrictHostKeyChecking=yes", ssh, StringComparison.Ordinal);
        Assert.Contains("-o BatchMode=yes", ssh, StringComparison.Ordinal);
        Assert.Contains("-F /dev/null", ssh, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 3, 3)]
    [InlineData(null, 1, 1)]
    [InlineData(7, 3, 7)]
    [InlineData(null, 80, 50)]
    public void Forks_follow_the_cluster_size(int? requested, int hosts, int expected)
    {
        using var fixture = new RequestFixture();
        var list = Enumerable.Range(0, hosts)
            .Select(i => new ConfigurationHost($"n{i}", $"n{i}.test", $"10.205.0.{i + 1}", i == 0 ? HostRole.Management : HostRole.Worker))
            .ToArray();
        var request = fixture.Request(RepositoryPaths.SitePlaybook, list) with { Forks = requested };
        Assert.Equal(expected, PlaybookCommandBuilder.Forks(request, Options));
    }
}
