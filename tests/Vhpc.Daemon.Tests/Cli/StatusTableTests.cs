using System.Text.Json;
using Vhpc.Cli.Output;
using Vhpc.Control.Protocol;
using Vhpc.Daemon.Control;
using Vhpc.Engine.Status;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Cli;

/// <summary>How `vhpc status` shows the SSH and configuration states, and the --json names scripts rely on.</summary>
[Tier(TestTier.Unit)]
public class StatusTableTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 27, 21, 40, 5, TimeSpan.Zero);

    private static ClusterStatus Status() => new("c1", true,
    [
        new NodeStatus("c1-m-01", "management", "running", "10.206.1.10", null, null)
            { Ssh = SshState.Ready, Configuration = new NodeConfigurationStatus(ConfigurationState.Yes, At, "abc") },
        new NodeStatus("c1-w-01", "worker", "running", "10.206.1.11", null, null)
            { Ssh = SshState.NoHostKey, Configuration = new NodeConfigurationStatus(ConfigurationState.Stale, At, "old") },
        new NodeStatus("c1-w-02", "worker", "running", null, null, null)
            { Ssh = SshState.NotAnswering, Configuration = new NodeConfigurationStatus(ConfigurationState.Failed, At, "abc", "task 'Install munge' failed") },
        new NodeStatus("c1-w-03", "worker", "shut off", null, null, null)
            { Ssh = SshState.Unknown, Configuration = new NodeConfigurationStatus(ConfigurationState.No) },
        new NodeStatus("c1-w-04", "worker", "running", "10.206.1.14", null, null)
            { Ssh = SshState.Ready, Configuration = new NodeConfigurationStatus(ConfigurationState.Stale, At, "abc", StaleBecause: NodeConfigurationStatus.RolesChanged) },
    ]);

    [Fact]
    public void The_table_says_each_state_in_words()
    {
        var table = StatusTable.Render(Status().ToInfo(), At);

        Assert.Matches(@"c1-m-01\s+management\s+running\s+10\.206\.1\.10\s+-\s+ready\s+yes \(at 2026-11-27 21:40:05Z\)", table);
        Assert.Matches(@"c1-w-01\s+worker\s+running\s+10\.206\.1\.11\s+-\s+no host key\s+stale \(spec changed\)", table);
        Assert.Matches(@"c1-w-02\s+worker\s+running\s+-\s+-\s+not answering\s+failed: task 'Install munge' failed", table);
        Assert.Matches(@"c1-w-03\s+worker\s+shut off\s+-\s+-\s+-\s+no", table);
        Assert.Matches(@"c1-w-04\s+worker\s+running\s+10\.206\.1\.14\s+-\s+ready\s+stale \(roles or keys changed\)", table);
    }

    [Fact]
    public void An_elastic_cluster_shows_slurms_view_beside_the_power_state_and_other_tables_do_not()
    {
        var nodes = Status().Nodes.ToList();
        nodes[1] = nodes[1] with { Slurm = "idle", SlurmAt = At };
        nodes[2] = nodes[2] with { Slurm = "alloc#", SlurmAt = At };
        nodes[3] = nodes[3] with { Slurm = "idle~", SlurmAt = At };
        var table = StatusTable.Render((Status() with { Nodes = nodes }).ToInfo(), At);

        Assert.Matches(@"NODE\s+ROLE\s+STATE\s+SLURM\s+ADDRESS", table);
        Assert.Matches(@"c1-m-01\s+management\s+running\s+-\s+10\.206\.1\.10", table);
        Assert.Matches(@"c1-w-01\s+worker\s+running\s+idle\s+10\.206\.1\.11", table);
        Assert.Matches(@"c1-w-02\s+worker\s+running\s+alloc# \(powering up\)\s+-", table);
        Assert.Matches(@"c1-w-03\s+worker\s+shut off\s+idle~ \(powered down\)\s+-", table);
        Assert.DoesNotContain("SLURM", StatusTable.Render(Status().ToInfo(), At), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_keeps_the_old_fields_and_adds_the_detailed_states()
    {
        var json = JsonSerializer.Serialize(Status().ToInfo(), CliJsonContext.Default.StatusInfo);
        using var document = JsonDocument.Parse(json);
        var nodes = document.RootElement.GetProperty("nodes");

        Assert.Equal(["name", "role", "state", "address", "leaseExpiry", "sshReady", "configured", "error",
            "ssh", "configuration", "configuredAt", "configurationSpecHash", "configurationError", "host", "configurationStaleBecause", "slurm", "slurmAt"], nodes[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(("ready", true, "yes", true, "abc"), (nodes[0].GetProperty("ssh").GetString(), nodes[0].GetProperty("sshReady").GetBoolean(),
            nodes[0].GetProperty("configuration").GetString(), nodes[0].GetProperty("configured").GetBoolean(), nodes[0].GetProperty("configurationSpecHash").GetString()));
        Assert.Equal(At, nodes[0].GetProperty("configuredAt").GetDateTimeOffset());
        Assert.Equal(("no-host-key", "stale"), (nodes[1].GetProperty("ssh").GetString(), nodes[1].GetProperty("configuration").GetString()));
        Assert.Equal(("stale", "roles or keys changed"), (nodes[4].GetProperty("configuration").GetString(),
            nodes[4].GetProperty("configurationStaleBecause").GetString()));
        Assert.Equal(("not-answering", "failed", "task 'Install munge' failed"), (nodes[2].GetProperty("ssh").GetString(),
            nodes[2].GetProperty("configuration").GetString(), nodes[2].GetProperty("configurationError").GetString()));
        Assert.Equal((JsonValueKind.Null, "unknown", "no"), (nodes[3].GetProperty("sshReady").ValueKind, nodes[3].GetProperty("ssh").GetString(),
            nodes[3].GetProperty("configuration").GetString()));
    }

    [Fact]
    public void A_node_whose_ssh_is_known_and_configuration_is_not_maps_to_ready_and_unknown()
    {
        var info = new ClusterStatus("c1", true, [new NodeStatus("c1-m-01", "management", "running", null, null, null) { Ssh = SshState.Ready }]).ToInfo();

        Assert.Equal(("ready", "unknown"), (info.Nodes[0].Ssh, info.Nodes[0].Configuration));
    }
}
