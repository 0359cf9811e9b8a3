using System.Net;
using System.Net.Sockets;
using Vhpc.Ansible;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>
/// The real ansible-playbook through the runner, against "hosts" that are this machine
/// (ansible_connection=local) and one SSH target on 127.0.0.1 whose port is closed.
/// </summary>
public class AnsibleRunnerIntegrationTests
{
    private static readonly AnsibleRunnerOptions FastRetries = new() { MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(50), UseJitter = false };

    private static ConfigurationHost Local(string name, HostRole role) =>
        new(name, name + ".demo.test", "127.0.0.1", role) { Connection = "local", Vcpus = 2, MemoryMiB = 1536 };

    private static ConfigurationRequest Request(RequestFixture fixture, string cluster, string testDir, Dictionary<string, string>? vars, params ConfigurationHost[] hosts) =>
        fixture.Request(RepositoryPaths.TestPlaybook("local-cluster.yml"), hosts) with
        {
            ClusterName = cluster,
            ExtraVariables = new Dictionary<string, string>(vars ?? []) { ["vhpc_test_dir"] = testDir },
        };

    [Tier(TestTier.Unit)]
    [Fact]
    public async Task Every_host_through_the_last_play_is_configured()
    {
        AnsibleTools.Require("ansible-playbook", "ansible-core");
        using var fixture = new RequestFixture();
        var testDir = Directory.CreateDirectory(Path.Combine(fixture.Directory, "out")).FullName;
        var logger = new ListLogger();
        var runner = new AnsibleRunner(logger, FastRetries, TimeProvider.System, new PlaybookProcess());

        var result = await runner.RunAsync(
            Request(fixture, "local1", testDir, null, Local("mgmt", HostRole.Management), Local("w1", HostRole.Worker), Local("w2", HostRole.Worker))
                with { RunId = "run-42" },
            CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Hosts.Select(h => h.Describe())));
        Assert.Single(result.Attempts);
        Assert.Equal(0, result.Attempts[0].ExitCode);
        Assert.All(result.Hosts, h => Assert.Equal(HostOutcome.Configured, h.Outcome));
        Assert.All(["mgmt", "w1", "w2"], h => Assert.Equal("run-42\n", File.ReadAllText(Path.Combine(testDir, h + ".configured"))));
        Assert.Equal("w1,w2\n", File.ReadAllText(Path.Combine(testDir, "workers.txt")));
        // The key reached the "hosts"; the changed copy shows in the log by task name only.
        Assert.Equal(File.ReadAllBytes(fixture.MungeKeyPath), File.ReadAllBytes(Path.Combine(testDir, "w1.munge.key")));
        // So did the database password, through the extra var that names its file, and nothing logged it.
        var password = File.ReadAllText(fixture.DatabasePasswordPath);
        Assert.Equal(password, File.ReadAllText(Path.Combine(testDir, "w2.slurmdbd.password")));
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains(password, StringComparison.Ordinal));
        // The spec's facts came through the inventory.
        Assert.Equal("management 2 1536 Debian 10.205.1.0/24\n", File.ReadAllText(Path.Combine(testDir, "mgmt.inventory")));
        Assert.Equal("worker 2 1536 Debian 10.205.1.0/24\n", File.ReadAllText(Path.Combine(testDir, "w1.inventory")));
        Assert.Contains(logger.Entries, e => e.Id.Id == 3504 && e.Message == "w1: changed: Copy the munge key");
        Assert.Contains(logger.Entries, e => e.Id.Id == 3501 && e.Message.Contains("record the completed configuration", StringComparison.Ordinal));
        Assert.Contains(logger.Entries, e => e.Id.Id == 3512);

        // The runner's private workspace.
        var workspace = Path.Combine(fixture.StateDirectory, "ansible");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(workspace));
        // Each run's inventory and extra vars live in a folder of their own (runs go on side by side) that the run removes.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(workspace, "runs")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(workspace, "runs")));
        Assert.True(File.Exists(Path.Combine(workspace, "facts", "mgmt")) || Directory.Exists(Path.Combine(workspace, "facts")));

        // A second run changes nothing.
        var second = await runner.RunAsync(
            Request(fixture, "local1", testDir, null, Local("mgmt", HostRole.Management), Local("w1", HostRole.Worker), Local("w2", HostRole.Worker)),
            CancellationToken.None);
        Assert.True(second.Succeeded);
        Assert.All(second.Hosts, h => Assert.Equal(0, h.Changed));
    }

    [Tier(TestTier.Unit)]
    [Fact]
    public async Task A_failed_task_is_reported_per_host_and_not_retried_and_no_log_stays_censored()
    {
        AnsibleTools.Require("ansible-playbook", "ansible-core");
        using var fixture = new RequestFixture();
        var testDir = Directory.CreateDirectory(Path.Combine(fixture.Directory, "out")).FullName;
        var logger = new ListLogger();
        var runner = new AnsibleRunner(logger, FastRetries, TimeProvider.System, new PlaybookProcess());

        var result = await runner.RunAsync(
            Request(fixture, "local2", testDir, new() { ["vhpc_fail_hosts"] = "w1", ["vhpc_leak_hosts"] = "w2" },
                Local("mgmt", HostRole.Management), Local("w1", HostRole.Worker), Local("w2", HostRole.Worker)),
            CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Single(result.Attempts);
        Assert.Equal(2, result.Attempts[0].ExitCode);
        var hosts = result.Hosts.ToDictionary(h => h.Host);
        Assert.Equal(HostOutcome.Configured, hosts["mgmt"].Outcome);
        Assert.Equal("w1: task 'Fail where the test asks' failed: planned failure on w1", hosts["w1"].Describe());
        Assert.Equal("w2: task 'Read the munge key and fail (no_log)' failed: censored (no_log)", hosts["w2"].Describe());
        Assert.False(File.Exists(Path.Combine(testDir, "w1.configured")));

        // The slurped key would appear base64-encoded if anything leaked it.
        var key = File.ReadAllBytes(fixture.MungeKeyPath);
        var base64 = Convert.ToBase64String(key);
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains(base64[..24], StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains(Convert.ToHexString(key)[..24], StringComparison.OrdinalIgnoreCase));
        Assert.Contains(logger.Entries, e => e.Id.Id == 3505 && e.Message.Contains("censored (no_log)", StringComparison.Ordinal));
    }

    [Tier(TestTier.Unit)]
    [Fact]
    public async Task An_unreachable_host_is_retried_alone_with_limit()
    {
        AnsibleTools.Require("ansible-playbook", "ansible-core");
        AnsibleTools.Require("ssh", "openssh-client");
        using var fixture = new RequestFixture();
        var testDir = Directory.CreateDirectory(Path.Combine(fixture.Directory, "out")).FullName;
        var runner = new AnsibleRunner(new ListLogger(), FastRetries, TimeProvider.System, new PlaybookProcess());
        var ghost = new ConfigurationHost("ghost", "ghost.demo.test", "127.0.0.1", HostRole.Worker) { Port = ClosedPort() };

        var result = await runner.RunAsync(
            Request(fixture, "local3", testDir, null, Local("mgmt", HostRole.Management), Local("w1", HostRole.Worker), ghost),
            CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal([null, ["ghost"], ["ghost"]], result.Attempts.Select(a => a.Limit));
        Assert.All(result.Attempts.Skip(1), a => Assert.Equal(["ghost"], a.Outcome.Hosts.Keys));
        var hosts = result.Hosts.ToDictionary(h => h.Host);
        Assert.Equal(HostOutcome.Configured, hosts["mgmt"].Outcome);
        Assert.Equal(HostOutcome.Configured, hosts["w1"].Outcome);
        Assert.Equal(HostOutcome.Unreachable, hosts["ghost"].Outcome);
        Assert.Contains("Connection refused", hosts["ghost"].Message, StringComparison.Ordinal);
        Assert.Equal(result.RunId + "\n", File.ReadAllText(Path.Combine(testDir, "w1.configured")));
    }

    [Tier(TestTier.Libvirtd)]
    [Fact]
    public async Task Runs_inside_the_configured_network_namespace()
    {
        AnsibleTools.Require("ansible-playbook", "ansible-core");
        AnsibleTools.Require("ip", "iproute2");
        var (code, namespaces) = AnsibleTools.Run("ip", "/", null, "netns", "list");
        Assert.True(code == 0 && namespaces.Split('\n').Any(l => l.Split(' ')[0] == "vhpc-test"),
            "network namespace vhpc-test missing: run tests/env/up.sh as root");
        using var fixture = new RequestFixture();
        var testDir = Directory.CreateDirectory(Path.Combine(fixture.Directory, "out")).FullName;
        var runner = new AnsibleRunner(new ListLogger(), FastRetries, TimeProvider.System, new PlaybookProcess());

        var result = await runner.RunAsync(
            Request(fixture, "local4", testDir, null, Local("mgmt", HostRole.Management), Local("w1", HostRole.Worker))
                with { NetworkNamespace = "vhpc-test" },
            CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Hosts.Select(h => h.Describe())));
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Tier(TestTier.Unit)]
    [Fact]
    public void The_engine_carries_the_same_callback_plugin_as_deploy() =>
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.AnsibleDirectory, "callback_plugins", "vhpc_json.py")),
            AnsibleRunner.CallbackPluginSource());
}
